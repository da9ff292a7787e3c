/**
 * One response model, two encodings (API reference, "Subsonic-response"; the element pages under Responses/).
 *
 * The model is a plain object tree, written the way the spec's JSON examples are:
 * - a scalar (string, number, boolean) is an XML attribute and a JSON property;
 * - an object is a child element / nested JSON object;
 * - an array of objects is a repeated child element in XML (`<song …/><song …/>`) and a JSON array under that name;
 * - an array of scalars is a repeated child element with text content (`<isrc>…</isrc>`) and a JSON array;
 * - the key `value` is the element's text content in XML (`<genre songCount="3">Rock</genre>`, responses/genre),
 *   a property named `value` in JSON, as the spec's JSON examples write it;
 * - `undefined` and `null` are left out (optional fields absent).
 */
export type ModelValue = string | number | boolean | null | undefined | Model | ModelValue[];
export interface Model {
  [key: string]: ModelValue;
}

export type ResponseFormat = 'xml' | 'json' | 'jsonp';

const XMLNS = 'http://subsonic.org/restapi';

// XML 1.0 cannot carry these code points at all, even escaped (§2.2 Char); tags from files can contain them.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };

/** Escapes text for an attribute value or text content; line breaks are kept as character references in attributes. */
export function escapeXml(text: string, inAttribute = true): string {
  const clean = text.replace(NOT_XML_CHAR, '\uFFFD');
  return clean.replace(inAttribute ? /[&<>"'\n\r\t]/g : /[&<>]/g, (c) => XML_ESCAPES[c]!);
}

function isScalar(value: ModelValue): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function element(name: string, model: Model): string {
  let attributes = '';
  let children = '';
  let text = '';
  for (const [key, value] of Object.entries(model)) {
    if (value === undefined || value === null) continue;
    if (key === 'value' && isScalar(value)) {
      text = escapeXml(String(value), false);
    } else if (isScalar(value)) {
      attributes += ` ${key}="${escapeXml(String(value))}"`;
    } else if (Array.isArray(value)) {
      for (const item of value) {
        if (item === undefined || item === null) continue;
        children += isScalar(item) ? `<${key}>${escapeXml(String(item), false)}</${key}>` : element(key, item as Model);
      }
    } else {
      children += element(key, value);
    }
  }
  const body = text + children;
  return body === '' ? `<${name}${attributes}/>` : `<${name}${attributes}>${body}</${name}>`;
}

/** `null`/`undefined` removed recursively, so JSON and XML carry the same fields. */
function pruned(value: ModelValue): ModelValue {
  if (Array.isArray(value)) return value.filter((item) => item !== null && item !== undefined).map(pruned);
  if (value !== null && typeof value === 'object') {
    const out: Model = {};
    for (const [key, item] of Object.entries(value)) if (item !== null && item !== undefined) out[key] = pruned(item);
    return out;
  }
  return value;
}

/**
 * JSONP callback names: a dotted chain of JavaScript identifiers (ASCII), at most 128 characters. Anything else
 * could inject script into the page that loads the response, so it is refused.
 */
const CALLBACK = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

export function isValidCallback(name: string): boolean {
  return name.length <= 128 && CALLBACK.test(name);
}

/**
 * The whole `subsonic-response` document: `{contentType, body}`. `envelope` holds the root's attributes (status,
 * version, type…) and its one child (e.g. `{album: {...}}`). For jsonp, `callback` must already be validated.
 */
export function serialize(envelope: Model, format: ResponseFormat, callback?: string): { contentType: string; body: string } {
  if (format === 'xml') {
    const root = element('subsonic-response', { xmlns: XMLNS, ...envelope });
    return { contentType: 'application/xml; charset=utf-8', body: `<?xml version="1.0" encoding="UTF-8"?>\n${root}` };
  }
  // U+2028/2029 are legal in JSON but end a statement in older JavaScript: escape them for JSONP's sake.
  const json = JSON.stringify({ 'subsonic-response': pruned(envelope) }).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  if (format === 'jsonp') return { contentType: 'application/javascript; charset=utf-8', body: `${callback}(${json});` };
  return { contentType: 'application/json; charset=utf-8', body: json };
}
