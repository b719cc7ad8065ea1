/** The line every generated page starts with, naming its source and how to regenerate it. */
export const GENERATED_NOTICE = (source: string): string =>
  `<!-- Generated from ${source} by \`npm run docs\` (scripts/generate-docs.ts). Do not edit: edit the source and rerun. -->`;

/** Text made safe for one markdown table cell (pipes escaped, no line breaks). */
export function tableCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
