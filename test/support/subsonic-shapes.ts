import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under NodeNext its default export is the module object, the plugin under `.default`.
const addFormats = addFormatsModule.default;

const schemaFile = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'opensubsonic', 'schemas.json');
const schemas = JSON.parse(readFileSync(schemaFile, 'utf8')) as { $defs: Record<string, unknown> };
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({ $id: 'opensubsonic', ...schemas });

/**
 * Checks a JSON `subsonic-response` against the spec's schemas (test/fixtures/opensubsonic/schemas.json): the
 * success envelope, and its `key` member against the `$defs` entry `def`. Returns the schema errors ([] when valid).
 */
export function shapeErrors(response: Record<string, unknown>, key: string, def: string): string[] {
  const errors: string[] = [];
  const check = (ref: string, value: unknown, where: string) => {
    const validate = ajv.getSchema(`opensubsonic#/$defs/${ref}`);
    if (!validate) throw new Error(`No schema ${ref}`);
    if (!validate(value)) for (const e of validate.errors ?? []) errors.push(`${where}${e.instancePath} ${e.message}`);
  };
  check('SubsonicSuccessResponse', response, 'envelope');
  if (!(key in response)) errors.push(`missing ${key}`);
  else check(def, response[key], key);
  return errors;
}

/** A parsed XML element: name, attributes, child elements and text. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = '[A-Za-z_][\\w.-]*(?::[A-Za-z_][\\w.-]*)?';
const ATTRIBUTE = new RegExp(`\\s+(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, 'y');
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(text: string, where: string): string {
  if (/&/.test(text.replace(ENTITY, ''))) throw new Error(`Bare & in ${where}`);
  return text.replace(ENTITY, (entity) => {
    const named: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };
    if (named[entity]) return named[entity];
    const code = entity.startsWith('&#x') ? Number.parseInt(entity.slice(3, -1), 16) : Number.parseInt(entity.slice(2, -1), 10);
    return String.fromCodePoint(code);
  });
}

/**
 * A strict well-formedness check of the XML Subsonic documents (no DTDs, comments or CDATA, which they never
 * contain): one root, balanced tags, quoted and unique attributes, only the XML entities. Throws on any fault;
 * returns the root element.
 */
export function parseXml(document: string): XmlElement {
  let at = 0;
  const prolog = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(document);
  if (prolog) at = prolog[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const tag = new RegExp(`<(/?)(${NAME})`, 'y');
  while (at < document.length) {
    const next = document.indexOf('<', at);
    const text = document.slice(at, next === -1 ? document.length : next);
    if (text !== '') {
      if (stack.length === 0) {
        if (text.trim() !== '') throw new Error(`Text outside the root at ${at}`);
      } else {
        stack[stack.length - 1]!.text += decode(text, `text at ${at}`);
      }
    }
    if (next === -1) break;
    tag.lastIndex = next;
    const open = tag.exec(document);
    if (!open) throw new Error(`Bad tag at ${next}`);
    at = tag.lastIndex;
    const [, closing, name] = open;
    if (closing) {
      const top = stack.pop();
      if (!top || top.name !== name) throw new Error(`</${name}> does not close <${top?.name}> at ${next}`);
      if (document[at] !== '>') throw new Error(`Bad closing tag at ${next}`);
      at += 1;
      continue;
    }
    const element: XmlElement = { name: name!, attributes: {}, children: [], text: '' };
    for (;;) {
      ATTRIBUTE.lastIndex = at;
      const attribute = ATTRIBUTE.exec(document);
      if (!attribute) break;
      const key = attribute[1]!;
      if (key in element.attributes) throw new Error(`Duplicate attribute ${key} on <${name}>`);
      element.attributes[key] = decode(attribute[2] ?? attribute[3] ?? '', `attribute ${key}`);
      at = ATTRIBUTE.lastIndex;
    }
    const end = /^\s*(\/?)>/.exec(document.slice(at, at + 64));
    if (!end) throw new Error(`Unterminated <${name}> at ${next}`);
    at += end[0].length;
    if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
    else if (root) throw new Error('Two root elements');
    else root = element;
    if (!end[1]) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`Unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('No root element');
  return root;
}

/** Every element of the tree, depth first. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(allElements)];
}
