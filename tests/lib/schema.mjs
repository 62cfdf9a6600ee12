// A validator for the JSON Schema subset docs/openapi.json uses ($ref, type incl. null,
// enum, properties, required, additionalProperties, items, maxItems, minimum, maximum,
// minLength, maxLength, pattern, format date and date-time). Returns a list of faults.
export function validate(doc, schema, value, path = '$') {
  const out = [];
  const walk = (s, v, p) => {
    if (s.$ref) s = s.$ref.split('/').slice(1).reduce((o, k) => o[k], doc);
    const types = s.type === undefined ? null : [].concat(s.type);
    const typeOf = (x) => x === null ? 'null' : Array.isArray(x) ? 'array'
      : Number.isInteger(x) ? 'integer' : typeof x;
    if (types) {
      const t = typeOf(v);
      if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
        out.push(`${p}: ${t} is not ${types.join('|')}`);
        return;
      }
    }
    if (s.enum && !s.enum.some((e) => e === v)) out.push(`${p}: ${JSON.stringify(v)} not in enum`);
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) out.push(`${p}: below ${s.minimum}`);
      if (s.maximum !== undefined && v > s.maximum) out.push(`${p}: above ${s.maximum}`);
    }
    if (typeof v === 'string') {
      const n = [...v].length;
      if (s.maxLength !== undefined && n > s.maxLength) out.push(`${p}: longer than ${s.maxLength}`);
      if (s.minLength !== undefined && n < s.minLength) out.push(`${p}: shorter than ${s.minLength}`);
      if (s.pattern && !new RegExp(s.pattern).test(v)) out.push(`${p}: does not match ${s.pattern}`);
      if (s.format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(v)) out.push(`${p}: not a date`);
      if (s.format === 'date-time' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(v)) out.push(`${p}: not a date-time`);
    }
    if (Array.isArray(v)) {
      if (s.maxItems !== undefined && v.length > s.maxItems) out.push(`${p}: more than ${s.maxItems} items`);
      if (s.items) v.forEach((x, i) => walk(s.items, x, `${p}[${i}]`));
    }
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const r of s.required || []) if (!(r in v)) out.push(`${p}: missing ${r}`);
      for (const [k, x] of Object.entries(v)) {
        if (s.properties && s.properties[k]) walk(s.properties[k], x, `${p}.${k}`);
        else if (s.additionalProperties === false) out.push(`${p}: unexpected ${k}`);
      }
    }
  };
  walk(schema, value, path);
  return out;
}
