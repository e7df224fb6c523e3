// XML escaping for the JUnit writer, and a small, strict well-formedness parser (no regex-based
// "parsing") so tests and the writer itself can prove the output is XML that CI tools will read.

/** Characters not allowed in XML 1.0 at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF). */
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/g;

export function escapeXml(value: string): string {
  return value
    .replace(INVALID_XML_CHARS, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Attribute values: also keep newlines/tabs (attribute-value normalisation would turn them into spaces). */
export function escapeAttr(value: string): string {
  return escapeXml(value).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Parses a document, throwing on any well-formedness error (mismatched tags, bad entities, stray `<`, ...). */
export function parseXml(doc: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`XML not well-formed at offset ${i}: ${msg}`);
  };
  const startsWith = (s: string) => doc.startsWith(s, i);
  const isNameChar = (c: string) => /[A-Za-z0-9_:.-]/.test(c);
  const readName = (): string => {
    const start = i;
    if (!/[A-Za-z_:]/.test(doc[i] ?? '')) fail('expected a name');
    while (i < doc.length && isNameChar(doc[i])) i++;
    return doc.slice(start, i);
  };
  const skipWs = () => {
    while (i < doc.length && ' \t\r\n'.includes(doc[i])) i++;
  };
  const decode = (raw: string): string => {
    let out = '';
    for (let j = 0; j < raw.length; j++) {
      const c = raw[j];
      if (c === '<') fail('"<" in text or attribute');
      if (c !== '&') {
        out += c;
        continue;
      }
      const end = raw.indexOf(';', j);
      if (end < 0) fail('unterminated entity');
      const ent = raw.slice(j + 1, end);
      if (ent.startsWith('#x')) out += String.fromCodePoint(parseInt(ent.slice(2), 16));
      else if (ent.startsWith('#')) out += String.fromCodePoint(parseInt(ent.slice(1), 10));
      else if (ent in ENTITIES) out += ENTITIES[ent];
      else fail(`unknown entity &${ent};`);
      j = end;
    }
    return out;
  };
  const skipMisc = () => {
    for (;;) {
      skipWs();
      if (startsWith('<?')) {
        const end = doc.indexOf('?>', i);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else if (startsWith('<!--')) {
        const end = doc.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  const readElement = (): XmlElement => {
    if (doc[i] !== '<') fail('expected "<"');
    i++;
    const el: XmlElement = { name: readName(), attrs: {}, children: [], text: '' };
    for (;;) {
      skipWs();
      if (startsWith('/>')) {
        i += 2;
        return el;
      }
      if (doc[i] === '>') {
        i++;
        break;
      }
      const attr = readName();
      skipWs();
      if (doc[i] !== '=') fail('expected "=" after attribute name');
      i++;
      skipWs();
      const q = doc[i];
      if (q !== '"' && q !== "'") fail('attribute value must be quoted');
      const end = doc.indexOf(q, i + 1);
      if (end < 0) fail('unterminated attribute value');
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      el.attrs[attr] = decode(doc.slice(i + 1, end));
      i = end + 1;
    }
    for (;;) {
      if (i >= doc.length) fail(`unclosed <${el.name}>`);
      if (startsWith('</')) {
        i += 2;
        const name = readName();
        if (name !== el.name) fail(`</${name}> closes <${el.name}>`);
        skipWs();
        if (doc[i] !== '>') fail('expected ">"');
        i++;
        return el;
      }
      if (startsWith('<![CDATA[')) {
        const end = doc.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        el.text += doc.slice(i + 9, end);
        i = end + 3;
      } else if (startsWith('<!--')) {
        const end = doc.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (doc[i] === '<') {
        el.children.push(readElement());
      } else {
        const end = doc.indexOf('<', i);
        el.text += decode(doc.slice(i, end < 0 ? doc.length : end));
        i = end < 0 ? doc.length : end;
      }
    }
  };
  skipMisc();
  const root = readElement();
  skipMisc();
  if (i !== doc.length) fail('content after the root element');
  return root;
}
