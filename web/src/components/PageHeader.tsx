import type { ReactNode } from 'react';

/** A page's title row: the `h1`, an optional line under it, and controls on the right (sort, filter). */
export function PageHeader({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
      </div>
      {children && <div className="page-header__tools">{children}</div>}
    </header>
  );
}

/** A text filter for a list page, labelled for screen readers. */
export function FilterInput({ value, onChange, label }: { value: string; onChange: (value: string) => void; label: string }) {
  return (
    <input
      type="search"
      className="input input--filter"
      placeholder={label}
      aria-label={label}
      value={value}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

/** A labelled select of sort orders. */
export function SortSelect<V extends string>({
  value,
  options,
  onChange,
}: {
  value: V;
  options: { value: V; label: string }[];
  onChange: (value: V) => void;
}) {
  return (
    <label className="select">
      <span className="visually-hidden">Sort by</span>
      <select value={value} onChange={(event) => onChange(event.target.value as V)} aria-label="Sort by">
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}
