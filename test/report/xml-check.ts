/**
 * A minimal XML well-formedness check for the SVG we emit: every tag matched, attributes
 * double-quoted, no stray '<', only the five predefined entities or numeric references.
 * Returns the element names in document order (for counting).
 */
export function checkXml(xml: string): string[] {
  const tagRe = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g;
  const stack: string[] = [];
  const names: string[] = [];
  let last = 0;
  let roots = 0;
  const checkText = (t: string) => {
    if (t.includes('<') || t.includes('>'))
      throw new Error(`stray angle bracket in "${t.slice(0, 60)}"`);
    for (const m of t.matchAll(/&([^;\s]*);?/g)) {
      if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(m[0]))
        throw new Error(`bad entity ${m[0]}`);
    }
  };
  for (const m of xml.matchAll(tagRe)) {
    checkText(xml.slice(last, m.index));
    last = m.index! + m[0].length;
    for (const a of m[3].matchAll(/"([^"]*)"/g)) checkText(a[1]);
    const [, close, name, , selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      if (stack.length === 0) roots++;
      names.push(name);
      if (!selfClose) stack.push(name);
    }
  }
  checkText(xml.slice(last));
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return names;
}
