// The dashboard's HTML shell and stylesheet, embedded as strings (no files read at run time).
// Pure constants: served as / and /style.css; content comes from /app.js and the JSON API.

/** The page served at /. Script and style are same-origin files so CSP can forbid inline code. */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark light">
<title>kstratum</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/style.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
  <div class="brand"><span class="logo" aria-hidden="true"></span>kstratum <span id="version" class="muted"></span></div>
  <div class="bar"><select id="wallet" aria-label="Wallet filter"><option value="">all wallets</option></select><div id="health" class="pill">loading…</div></div>
</header>
<main>
  <section id="summary" class="cards" aria-label="Summary"></section>
  <p id="history-note" class="note"></p>
  <section id="history" class="panel" hidden><h2><span id="chart-title">Farm hashrate</span> <span id="ranges" class="tabs"></span></h2><div id="chart"></div></section>
  <section id="worker-panel" class="panel" hidden><h2>Worker <span id="worker-name"></span> <button class="tab" data-act="close">close</button></h2>
    <div class="two"><div><h3>Hashrate</h3><div id="worker-chart"></div></div><div><h3>Rejected shares</h3><div id="worker-rejects"></div></div></div>
    <h3>Blocks</h3><div id="worker-blocks" class="scroll"></div></section>
  <section class="panel"><h2>Node</h2><div id="node"></div></section>
  <section class="panel"><h2>Workers <span id="worker-count" class="count"></span></h2><div id="workers" class="scroll"></div></section>
  <section id="daily-panel" class="panel" hidden><h2>Blocks per day, with rewards</h2><div id="daily"></div></section>
  <section class="panel"><h2>Blocks found <span id="block-count" class="count"></span></h2><div id="blocks" class="scroll"></div></section>
</main>
<footer class="muted"><span id="updated"></span> · <a href="/metrics">metrics</a> · <a href="/api/status">api</a></footer>
</body>
</html>
`;

/** The stylesheet served at /style.css: dark by default, light when the system asks; phone-friendly. */
export const STYLE_CSS =
  `:root{--bg:#0d1117;--panel:#161b22;--line:#283039;--text:#e6edf3;--muted:#8b949e;
--accent:#49eacb;--ok:#3fb950;--bad:#f85149;--blue:#58a6ff;--red:#ff7b72;--pending:#d29922}
@media (prefers-color-scheme:light){:root{--bg:#f6f8fa;--panel:#fff;--line:#d0d7de;--text:#1f2328;
--muted:#656d76;--accent:#0a8f7a;--ok:#1a7f37;--bad:#cf222e;--blue:#0969da;--red:#cf222e;--pending:#9a6700}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 16px}
header{display:flex;align-items:center;justify-content:space-between;gap:12px;padding-top:16px;padding-bottom:8px}
.brand{font-size:20px;font-weight:650;letter-spacing:.2px;display:flex;align-items:center;gap:8px}
.logo{width:14px;height:14px;border-radius:3px;background:var(--accent);transform:rotate(45deg)}
.muted,small{color:var(--muted)}
.brand .muted{font-size:13px;font-weight:400}
.pill{border:1px solid var(--line);border-radius:999px;padding:3px 12px;font-size:13px;color:var(--muted)}
.pill.ok{color:var(--ok);border-color:var(--ok)}.pill.bad{color:var(--bad);border-color:var(--bad)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin:12px 0}
.card,.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px}
.card{padding:12px 14px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.5px}
.card .value{font-size:24px;font-weight:650;margin:2px 0;font-variant-numeric:tabular-nums}
.card .sub{color:var(--muted);font-size:12px}
.panel{padding:12px 14px;margin:12px 0}
h2{font-size:15px;margin:0 0 10px;display:flex;align-items:center;gap:8px}
.count{background:var(--line);border-radius:999px;padding:0 8px;font-size:12px;font-weight:500}
.count:empty{display:none}
.kv{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px 16px;margin:0}
.kv dt{color:var(--muted);font-size:12px}.kv dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
table.grid{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
.grid th{color:var(--muted);font-weight:500;font-size:12px;text-align:right;padding:6px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
.grid td{text-align:right;padding:7px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
.grid th:first-child,.grid td:first-child{text-align:left}
.blocks th,.blocks td{text-align:left}
.grid tbody tr:last-child td{border-bottom:0}
.who b{display:block}.who small{font-size:12px}
tr.off{opacity:.55}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
.ok{color:var(--ok)}.bad{color:var(--bad)}.blue{color:var(--blue)}.red{color:var(--red)}
.badge{display:inline-block;border-radius:6px;padding:1px 8px;font-size:12px;font-weight:600;border:1px solid currentColor}
.badge.pending{color:var(--pending)}
footer{padding-top:4px;padding-bottom:24px;font-size:12px}
[hidden]{display:none!important}
.bar{display:flex;gap:8px;align-items:center}
select{background:var(--panel);color:var(--text);border:1px solid var(--line);border-radius:6px;padding:3px 6px;font:inherit;font-size:13px}
.note{color:var(--pending);margin:4px 0}.note:empty{display:none}
h3{font-size:13px;color:var(--muted);font-weight:500;margin:8px 0 4px}
.two{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.tabs{display:inline-flex;gap:4px;margin-left:auto}
.tab{background:transparent;color:var(--muted);border:1px solid var(--line);border-radius:6px;padding:1px 8px;font:inherit;font-size:12px;cursor:pointer}
.tab.on{color:var(--accent);border-color:var(--accent)}
button.link{background:none;border:0;padding:0;color:inherit;font:inherit;font-weight:650;cursor:pointer;text-decoration:underline dotted var(--muted)}
svg.chart{width:100%;height:auto;display:block}
.chart .gl{stroke:var(--line);stroke-width:1}
.chart text{fill:var(--muted);font-size:11px;font-family:system-ui,sans-serif}
.chart .line{fill:none;stroke:var(--accent);stroke-width:2;stroke-linejoin:round}
.chart .area{fill:var(--accent);fill-opacity:.14;stroke:none}
.chart .dot{fill:var(--accent)}
.chart rect.blue{fill:var(--blue)}.chart rect.red{fill:var(--red)}.chart rect.other{fill:var(--muted)}
svg.spark{width:100px;height:24px;display:block}
.spark polyline{fill:none;stroke:var(--accent);stroke-width:1.5}.spark circle{fill:var(--accent)}
.spark .none{stroke:var(--line);stroke-dasharray:3 3}
td.sp{padding-top:3px;padding-bottom:3px}
#blocks,#worker-blocks{max-height:440px;overflow-y:auto}
@media (max-width:700px){.two{grid-template-columns:1fr}}
footer a{color:var(--muted)}
@media (max-width:700px){
header{padding-top:12px}.brand{font-size:18px}
.cards{grid-template-columns:repeat(2,1fr);gap:8px}.card .value{font-size:19px}
.grid thead{display:none}
.grid,.grid tbody,.grid tr,.grid td{display:block;width:100%}
.grid tr{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);column-gap:18px;border:1px solid var(--line);border-radius:8px;padding:8px 10px;margin:8px 0}
.grid td{display:flex;justify-content:space-between;align-items:baseline;gap:8px;border:0;padding:2px 0;white-space:nowrap;text-align:right}
.grid td::before{content:attr(data-label);color:var(--muted);font-size:12px;text-align:left}
.grid td.who{display:block;grid-column:1/-1;text-align:left;padding-bottom:4px;white-space:normal}.grid td.who::before{content:none}
.grid.blocks tr{grid-template-columns:minmax(0,1fr)}
.card:last-child:nth-child(odd){grid-column:1/-1}
.grid tbody tr:last-child td{border:0}
}
`;
