/** The status page's stylesheet (system fonts only: the page works offline). */
export const STATUS_PAGE_CSS = `
:root { --bg:#f4f6f9; --card:#fff; --ink:#1b2430; --muted:#5f6b7a; --line:#dde3ea; --ok:#1a7f37; --busy:#0969da; --bad:#cf222e; --wait:#8c959f; --warn:#bc4c00; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; align-items:baseline; gap:16px; padding:12px 20px; background:#0b2545; color:#fff; }
header h1 { font-size:18px; margin:0; font-weight:600; }
header .muted { color:#c9d4e3; }
main { display:grid; grid-template-columns: 240px 1fr; gap:16px; padding:16px 20px; }
nav h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:4px 0 8px; }
.cluster { display:flex; flex-wrap:wrap; align-items:center; gap:6px; padding:8px 10px; margin-bottom:6px; border:1px solid var(--line); border-radius:8px; background:var(--card); color:inherit; text-decoration:none; }
.cluster.current { border-color:var(--busy); box-shadow:0 0 0 1px var(--busy); }
.cluster .name { font-weight:600; flex:1; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 16px; margin-bottom:14px; }
.card h2 { margin:0 0 8px; font-size:20px; display:flex; align-items:center; gap:10px; }
.card h3 { margin:0 0 10px; font-size:15px; }
.card h4 { margin:0 0 6px; font-size:14px; }
.facts { display:flex; flex-wrap:wrap; gap:4px 24px; margin-bottom:8px; }
.kv { display:flex; gap:6px; }
.kv .k { color:var(--muted); }
.kv .v { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size:13px; word-break:break-all; }
.muted { color:var(--muted); }
.small { font-size:12px; }
.bar { height:6px; border-radius:3px; background:#e6eaef; overflow:hidden; margin:4px 0 8px; }
.bar .fill { height:100%; background:var(--busy); transition: width .4s; }
.pill { display:inline-block; padding:1px 8px; border-radius:999px; font-size:12px; font-weight:600; color:#fff; background:var(--wait); }
.pill.big { font-size:13px; padding:2px 10px; }
.pill.ok, .pill.ready { background:var(--ok); }
.pill.busy, .pill.provisioning { background:var(--busy); }
.pill.bad, .pill.failed { background:var(--bad); }
.pill.pending, .pill.deleted { background:var(--wait); }
.pill.deleting { background:var(--warn); }
.failure { border-color:var(--bad); background:#fff5f5; }
.failure h3 { color:var(--bad); }
.failure .message { margin:6px 0; }
.failure .hint { margin:6px 0 0; font-weight:600; }
.netgrid { display:grid; grid-template-columns: minmax(220px, 1fr) 2fr; gap:12px; }
.box { border:1px dashed var(--line); border-radius:8px; padding:10px; }
.subnet { border-left:3px solid var(--busy); padding:4px 10px; margin:8px 0; background:#f8fafc; }
.zones { display:grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap:12px; }
.zone { background:#f8fafc; border:1px solid var(--line); border-radius:8px; padding:10px; }
.node { background:var(--card); border:1px solid var(--line); border-left:4px solid var(--wait); border-radius:6px; padding:6px 8px; margin-top:8px; }
.node.cp { box-shadow: inset 0 0 0 1px #d0d7de; }
.node.ready { border-left-color:var(--ok); }
.node.provisioning { border-left-color:var(--busy); }
.node.failed { border-left-color:var(--bad); background:#fff5f5; }
.node.deleting { border-left-color:var(--warn); }
.nodename { font-weight:600; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size:13px; }
.decision { padding:4px 0; border-top:1px solid var(--line); }
.banner { margin:12px 20px 0; padding:10px 14px; border-radius:8px; background:#fff5f5; border:1px solid var(--bad); color:var(--bad); font-weight:600; }
@media (max-width: 760px) { main { grid-template-columns: 1fr; } .netgrid { grid-template-columns: 1fr; } }
`;
