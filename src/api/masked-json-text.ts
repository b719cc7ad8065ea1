import { isSecretName } from '../contract/secret-fields.ts';

/** What a masked value reads as in the audit trail. */
export const REDACTED = '[redacted]';

/** Characters that end an unquoted value (JSON, form-encoded and header-like text). */
const VALUE_END = new Set([',', '}', ']', '&', '\n', '\r', ';']);
/** Characters that end an unquoted word. */
const WORD_END = new Set([...VALUE_END, '{', '[', ':', '=', '"', "'", ' ', '\t']);

/**
 * Text that is not valid JSON, with the value after every secret-named member masked, for the
 * audit trail: a malformed body can only be kept as text, and the text is where the password
 * is. It reads the text leniently — quoted or bare names, `:` or `=`, unterminated strings, a
 * missing colon — because a broken body is exactly the one no parser reads: after a secret name
 * the value is masked up to its closing quote (or the end of the text, when it never closes) or,
 * unquoted, up to the next `,` `}` `]` `&` `;` or line end. Quoted strings that themselves hold
 * `name: value` or `name=value` text (`"Authorization: Bearer …"`) are masked inside too.
 */
export function maskSecretsInText(text: string, depth = 0): string {
  let out = '';
  let i = 0;
  // The last name read, while only whitespace, ':' or '=' follows it.
  let secretName = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t') {
      out += c;
      i++;
      continue;
    }
    if (c === ':' || c === '=') {
      out += c;
      i++;
      if (!secretName) continue;
      while (i < text.length && (text[i] === ' ' || text[i] === '\t')) out += text[i++];
      const quote = text[i];
      if (quote === '"' || quote === "'") {
        const end = closingQuote(text, i);
        out += `${quote}${REDACTED}${end < text.length ? quote : ''}`;
        i = end + 1;
      } else {
        while (i < text.length && !VALUE_END.has(text[i] as string)) i++;
        out += REDACTED;
      }
      secretName = false;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = closingQuote(text, i);
      const content = text.slice(i + 1, end);
      if (secretName) out += `${c}${REDACTED}${end < text.length ? c : ''}`;
      else
        out += `${c}${depth < 1 && /[:=]/.test(content) ? maskSecretsInText(content, depth + 1) : content}${end < text.length ? c : ''}`;
      secretName = !secretName && isSecretName(content);
      i = end + 1;
      continue;
    }
    if (!WORD_END.has(c)) {
      let end = i;
      while (end < text.length && !WORD_END.has(text[end] as string)) end++;
      const word = text.slice(i, end);
      out += secretName ? REDACTED : word;
      secretName = !secretName && isSecretName(word);
      i = end;
      continue;
    }
    out += c;
    secretName = false;
    i++;
  }
  return out;
}

/** Index of the quote closing the string opened at `start` (escapes skipped), or text.length. */
function closingQuote(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) i += text[i] === '\\' ? 2 : 1;
  return Math.min(i, text.length);
}
