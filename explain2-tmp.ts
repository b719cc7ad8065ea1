import { PGlite } from '@electric-sql/pglite';
const orig = PGlite.prototype.query as any;
let explain = false;
(PGlite.prototype as any).query = async function (this: any, q: string, p?: unknown[], o?: unknown) {
  if (explain && q.trim().startsWith('select j.i')) {
    const r = await orig.call(this, 'explain (analyze, costs off) ' + q, p, o);
    console.log(r.rows.map((x: any) => x['QUERY PLAN']).join('\n'));
  }
  return orig.call(this, q, p, o);
};
(globalThis as any).__setExplain = (v: boolean) => { explain = v; };
