import { serviceColorRules } from './icons.js';

/**
 * The page's stylesheet, embedded so the built server needs no asset files and the page one
 * request. Served inline under a Content-Security-Policy hash (see layout.ts).
 */
export const STYLESHEET = `
:root {
  color-scheme: light dark;
  --bg: #f7f5f0; --card: #fffdf9; --text: #26231f; --muted: #6b655c; --line: #e4ded3;
  --accent: #b5542c; --accent-soft: #f3e3d9; --focus: #1f6feb;
  --font: "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Noto Sans JP", "Yu Gothic UI", "Yu Gothic", Meiryo, system-ui, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #171614; --card: #211f1c; --text: #ece7de; --muted: #a39c90; --line: #36322c;
          --accent: #f0956a; --accent-soft: #3a2a21; --focus: #6ea8ff; }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font: 16px/1.8 var(--font);
       font-feature-settings: "palt" 1; }
a { color: var(--accent); text-underline-offset: .18em; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 3px; }
.skip { position: absolute; left: -999px; top: .5rem; background: var(--card); padding: .4rem .8rem; z-index: 1; }
.skip:focus { left: .5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.wrap { max-width: 44rem; margin: 0 auto; padding: 0 1rem; }
.site-header { padding-top: 2.2rem; padding-bottom: 1rem; }
.site-header h1 a { color: inherit; text-decoration: none; }
.site-header h1 a:hover { text-decoration: underline; }
.site-header h1 { font-size: 1.7rem; line-height: 1.3; margin: 0 0 .3rem; letter-spacing: .02em; }
.site-header p { margin: 0; color: var(--muted); }
.views { display: flex; gap: .5rem; margin: 1.2rem 0 0; padding: 0; list-style: none; flex-wrap: wrap; }
.views a { display: inline-block; padding: .3rem .9rem; border: 1px solid var(--line); border-radius: 999px;
           text-decoration: none; color: var(--text); background: var(--card); }
.views a[aria-current="page"] { background: var(--accent); border-color: var(--accent); color: #fff; }
.views .count { font-variant-numeric: tabular-nums; opacity: .8; margin-left: .3em; }
.stream { list-style: none; margin: 1rem 0; padding: 0; }
.entry { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 1rem 1.2rem;
         margin: 0 0 .9rem; border-left: 4px solid var(--service, var(--line)); overflow-wrap: anywhere; }
.entry__meta { display: flex; align-items: center; gap: .5rem; font-size: .85rem; color: var(--muted); flex-wrap: wrap; }
.entry__meta .icon { flex: none; display: block; }
.entry__source { color: var(--text); font-weight: 600; text-decoration: none; }
.entry__meta time { margin-left: auto; font-variant-numeric: tabular-nums; }
.entry__title { font-size: 1.08rem; line-height: 1.5; margin: .45rem 0 .2rem; }
.entry__title a { color: var(--text); text-decoration: none; }
.entry__title a:hover { text-decoration: underline; }
.entry__content { font-size: .97rem; }
.entry__content > :first-child { margin-top: .3rem; }
.entry__content > :last-child { margin-bottom: 0; }
.entry__content img, .entry__content video { max-width: 100%; height: auto; border-radius: 6px; }
.entry__content blockquote { margin: .6rem 0; padding: .1rem 0 .1rem .9rem; border-left: 3px solid var(--line); color: var(--muted); }
.entry__content pre { overflow-x: auto; background: var(--bg); padding: .6rem; border-radius: 6px; font-size: .85rem; }
.entry__via, .entry__tags { margin: .6rem 0 0; font-size: .82rem; color: var(--muted); }
.entry__via ul, .entry__tags ul { display: inline; list-style: none; margin: 0; padding: 0; }
.entry__via li, .entry__tags li { display: inline-flex; align-items: center; gap: .25rem; margin-right: .6rem; }
.entry__via .icon { width: 16px; height: 16px; }
.entry__tags li { background: var(--accent-soft); border-radius: 4px; padding: 0 .4rem; }
.parts { margin: .7rem 0 0; border-top: 1px dashed var(--line); padding-top: .5rem; font-size: .9rem; }
.parts summary { cursor: pointer; color: var(--muted); }
.parts ol { margin: .4rem 0 0; padding-left: 1.2rem; }
.parts time { color: var(--muted); font-size: .8rem; margin-right: .4rem; font-variant-numeric: tabular-nums; }
.pager { display: flex; justify-content: space-between; gap: 1rem; margin: 1.2rem 0 2rem; }
.pager a { padding: .4rem .9rem; border: 1px solid var(--line); border-radius: 8px; background: var(--card); text-decoration: none; }
.empty { background: var(--card); border: 1px dashed var(--line); border-radius: 12px; padding: 2rem; text-align: center; color: var(--muted); }
.site-footer { border-top: 1px solid var(--line); margin-top: 2rem; padding-top: 1.2rem; padding-bottom: 2.5rem; font-size: .85rem; color: var(--muted); }
.site-footer ul { list-style: none; padding: 0; margin: 0; display: flex; gap: 1rem; flex-wrap: wrap; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; background: var(--card); }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
.ok { color: #2f7d4a; } .bad { color: #c0392b; font-weight: 600; }
@media (prefers-color-scheme: dark) { .ok { color: #6fcf8f; } .bad { color: #ff7b6b; } }
.failures { margin: .4rem 0 1rem; padding-left: 1.2rem; }
.failures code { font-size: .85rem; overflow-wrap: anywhere; }
section.recipe { margin: 1.5rem 0 2rem; }
${serviceColorRules()}
@media (max-width: 32rem) { .entry { padding: .85rem .9rem; } .entry__meta time { margin-left: 0; width: 100%; } }
`;
