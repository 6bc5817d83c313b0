// A reader for the subset of EDN the people data file uses (people_data.hpp):
// vectors, maps with keyword keys, strings, keywords, integers, booleans,
// nil, comments.
// Maps become plain objects keyed by the keyword's text (":db/id"), keywords
// become Keyword values, vectors arrays.
'use strict';

class Keyword {
  constructor(name) {
    this.name = name; // without the colon: "db/id", "male"
  }
  toString() {
    return ':' + this.name;
  }
}

function read(text) {
  let i = 0;
  const fail = (what) => {
    throw new Error(`EDN offset ${i}: ${what}`);
  };
  const skip = () => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === ',') {
        i++;
      } else if (c === ';') {
        while (i < text.length && text[i] !== '\n') i++;
      } else {
        return;
      }
    }
  };
  const isDelimiter = (c) => c === undefined || ' \n\t\r,[]{}()";'.includes(c);
  const token = () => {
    const start = i;
    while (!isDelimiter(text[i])) i++;
    return text.slice(start, i);
  };
  const value = () => {
    skip();
    const c = text[i];
    if (c === '[') {
      i++;
      const items = [];
      for (skip(); text[i] !== ']'; skip()) {
        if (i >= text.length) fail('unterminated vector');
        items.push(value());
      }
      i++;
      return items;
    }
    if (c === '{') {
      i++;
      const m = {};
      for (skip(); text[i] !== '}'; skip()) {
        if (i >= text.length) fail('unterminated map');
        const k = value();
        if (!(k instanceof Keyword)) fail('map key is not a keyword');
        m[k.toString()] = value();
      }
      i++;
      return m;
    }
    if (c === '"') {
      i++;
      let s = '';
      while (text[i] !== '"') {
        if (i >= text.length) fail('unterminated string');
        if (text[i] === '\\') {
          i++;
          const e = text[i];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
        } else {
          s += text[i];
        }
        i++;
      }
      i++;
      return s;
    }
    if (c === ':') {
      i++;
      return new Keyword(token());
    }
    const t = token();
    if (/^[-+]?[0-9]+$/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'nil') return null;
    return fail(`unsupported token ${JSON.stringify(t)}`);
  };
  const v = value();
  skip();
  if (i !== text.length) fail('more than one value');
  return v;
}

module.exports = { Keyword, read };
