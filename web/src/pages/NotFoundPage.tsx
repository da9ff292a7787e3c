import { Empty } from '../components/States';
import { Link } from '../router';
import { HOME_PATH } from '../routes';

export function NotFoundPage() {
  return (
    <Empty title="This page does not exist" action={<Link to={HOME_PATH} className="button">Go to your albums</Link>}>
      The link may be old, or the item was removed from the library.
    </Empty>
  );
}
