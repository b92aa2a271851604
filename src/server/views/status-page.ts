/** `/status` for people: one section per recipe, failing sources first, then the last runs. */
import { formatDate, parseDate } from '../../text/dates.js';
import { escapeHtml } from '../../text/html.js';
import { formatDuration } from '../duration.js';
import type { RecipeStatus, RunSummary, StatusDocument } from '../status.js';
import { layout } from './layout.js';

export function renderStatusPage(status: StatusDocument, timezone: string): string {
  const time = (iso: string | undefined) => {
    const epochMs = iso ? parseDate(iso)?.epochMs : undefined;
    if (epochMs === undefined) return '—';
    return `<time datetime="${formatDate(epochMs, timezone, 'atom')}">${formatDate(epochMs, timezone, 'display')}</time>`;
  };
  const sections = status.recipes.map((recipe) => renderRecipe(recipe, time)).join('\n');
  const jobs = status.queue.jobs?.filter((j) => j.count > 0) ?? [];
  const body = `<header class="site-header wrap">
<h1>状態 <span class="${status.ok ? 'ok' : 'bad'}">${status.ok ? '正常' : '問題あり'}</span></h1>
<p>kakehashi ${escapeHtml(status.version)} · 起動 ${time(status.startedAt)} · スケジューラー ${status.scheduler === 'bullmq' ? 'BullMQ (Redis)' : 'プロセス内'} · キュー ${escapeHtml(status.queue.kind)}</p>
</header>
<main id="main" class="wrap">
${sections || '<p class="empty">レシピがありません。</p>'}
${
  jobs.length > 0
    ? `<section><h2>キュー</h2><div class="scroll"><table><thead><tr><th scope="col">キュー</th><th scope="col">状態</th><th scope="col" class="num">件数</th></tr></thead><tbody>${jobs
        .map((j) => `<tr><td>${escapeHtml(j.queue)}</td><td>${escapeHtml(j.state)}</td><td class="num">${j.count}</td></tr>`)
        .join('')}</tbody></table></div></section>`
    : ''
}
</main>
<footer class="site-footer wrap"><ul><li><a href="/">ライフストリーム</a></li><li><a href="/status.json">JSON</a></li><li><a href="/metrics">メトリクス</a></li></ul>
<p>時刻は ${timezone === 'Asia/Tokyo' ? '日本時間（JST）' : escapeHtml(timezone)} で表示しています。</p></footer>`;
  return layout({ title: `状態 — kakehashi`, body });
}

function renderRecipe(recipe: RecipeStatus, time: (iso: string | undefined) => string): string {
  const failing = recipe.lastRun ? problemsOf(recipe.lastRun) : [];
  if (recipe.lastError) failing.unshift(`<li>レシピを実行できませんでした: <code>${escapeHtml(recipe.lastError)}</code></li>`);
  const rows = recipe.runs
    .map(
      (run) => `<tr>
<td>${time(run.startedAt)}</td>
<td class="num">${run.durationMs === undefined ? '—' : escapeHtml(formatDuration(run.durationMs))}</td>
<td class="num">${run.entriesIn} → ${run.entriesOut}</td>
<td class="num">${run.sources - run.failedSources.length} / ${run.sources}</td>
<td>${problemCount(run) === 0 ? '<span class="ok">なし</span>' : `<span class="bad">${problemCount(run)} 件</span>`}</td>
</tr>`,
    )
    .join('\n');
  return `<section class="recipe" aria-labelledby="recipe-${escapeHtml(recipe.name)}">
<h2 id="recipe-${escapeHtml(recipe.name)}">${escapeHtml(recipe.name)} <span class="${recipe.healthy ? 'ok' : 'bad'}">${recipe.healthy ? '正常' : '失敗あり'}</span></h2>
<p>スケジュール: ${recipe.schedule ? escapeHtml(recipe.schedule) : 'なし（起動時のみ）'}${recipe.nextRunAt ? ` · 次回 ${time(recipe.nextRunAt)}` : ''}${recipe.running ? ' · <strong>実行中</strong>' : ''}</p>
${failing.length > 0 ? `<h3>最新の実行で失敗したもの</h3><ul class="failures">${failing.join('')}</ul>` : ''}
${
  rows
    ? `<div class="scroll"><table><caption class="visually-hidden">${escapeHtml(recipe.name)} の最近の実行</caption><thead><tr><th scope="col">開始</th><th scope="col" class="num">所要</th><th scope="col" class="num">エントリー（入→出）</th><th scope="col" class="num">成功ソース</th><th scope="col">失敗</th></tr></thead><tbody>
${rows}
</tbody></table></div>`
    : '<p>まだ実行されていません。</p>'
}
</section>`;
}

function problemCount(run: RunSummary): number {
  return run.failedSources.length + run.failures.length + run.deliveries.failed.length;
}

function problemsOf(run: RunSummary): string[] {
  return [
    ...run.failedSources.map(
      (s) => `<li><strong>${escapeHtml(s.plugin)}</strong> ${escapeHtml(s.target)}: <code>${escapeHtml(s.error)}</code></li>`,
    ),
    ...run.failures.map(
      (f) => `<li><strong>${escapeHtml(f.plugin)}</strong>（${escapeHtml(f.phase)}）: <code>${escapeHtml(f.error)}</code></li>`,
    ),
    ...run.deliveries.failed.map(
      (d) => `<li>配信 <strong>${escapeHtml(d.name)}</strong> ${escapeHtml(d.id)}: <code>${escapeHtml(d.error)}</code></li>`,
    ),
  ];
}
