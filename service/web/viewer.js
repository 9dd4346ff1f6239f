// One file of a job: original and blind copy side by side, page by page, with the manifest's
// regions drawn over both. Boxes are placed in percent of the manifest's page size (pt for
// PDF pages, px for images), so they fit the pictures whatever their resolution or the
// displayed size. Regions are numbered through the document in manifest order, as in the
// report, and coloured by category (the report's colours). Clicking a box shows its details;
// editing (drawing, marking for removal, applying) lives in edits.js.

import { describe, download, filePath, getBlob, getJson, jobPath } from "./api.js";
import { bi, category, fill, h, say, SOURCE_LABELS, statusBadge } from "./dom.js";
import { Edits } from "./edits.js";

export class Viewer {
  constructor(root, jobId, index, back) {
    this.root = root;
    this.jobId = jobId;
    this.index = index;
    this.back = back;
    this.page = 0;
    this.revision = 0; // the revision shown
    this.manifest = null;
    this.selected = null; // {kind: "region", page, i} or {kind: "add", i}
    this.urls = { original: null, blind: null };
    this.seq = 0;
    this.closed = false;
    this.onKey = (event) => this.key(event);
    this.edits = new Edits(this);
  }

  // -- data ---------------------------------------------------------------------------------
  async show() {
    this.build();
    document.addEventListener("keydown", this.onKey);
    await this.reload();
  }

  close() {
    this.closed = true;
    this.edits.close();
    document.removeEventListener("keydown", this.onKey);
    for (const url of Object.values(this.urls)) if (url) URL.revokeObjectURL(url);
  }

  /** Fetch the job's status and show the file's current revision. */
  async reload() {
    try {
      const job = await getJson(jobPath(this.jobId));
      this.file = job.files[this.index];
      if (!this.file) throw new Error("no such file");
      this.job = job;
    } catch (error) {
      say(describe(error), "error");
      return;
    }
    const f = this.file;
    if ((f.status === "queued" || f.status === "running") && f.revision > 0) {
      say(`修订 r${f.revision} 正在生成，先显示 r${f.revision - 1}。 Revision ${f.revision} is being made.`, "info");
      await this.showRevision(f.revision - 1);
      return;
    }
    await this.showRevision(f.revision);
  }

  get current() {
    return this.revision === this.file.revision;
  }

  get editable() {
    return this.current && this.file.status === "done" && this.manifest !== null && !this.edits.busy;
  }

  async showRevision(revision) {
    this.revision = revision;
    this.selected = null;
    this.manifest = null;
    try {
      this.manifest = await getJson(filePath(this.jobId, this.index, `/manifest?revision=${revision}`));
    } catch (error) {
      say(`清单不可用 manifest unavailable: ${describe(error)}`, "error");
    }
    this.numbers = numbering(this.manifest);
    this.page = Math.min(this.page, this.pageCount() - 1);
    this.header();
    this.legend();
    await this.showPage(this.page);
  }

  pageCount() {
    return Math.max(1, this.manifest ? this.manifest.pages.length : this.file.pages);
  }

  pageInfo(p = this.page) {
    return this.manifest ? this.manifest.pages[p] : null;
  }

  async showPage(p) {
    this.page = Math.max(0, Math.min(p, this.pageCount() - 1));
    this.edits.cancelDraw();
    const seq = ++this.seq;
    this.el.viewer.dataset.state = "loading";
    this.pager();
    const rev = `?revision=${this.revision}`;
    const [original, blind] = await Promise.allSettled([
      getBlob(filePath(this.jobId, this.index, `/pages/${this.page}/original.png`)),
      getBlob(filePath(this.jobId, this.index, `/pages/${this.page}/blind.png${rev}`)),
    ]);
    if (seq !== this.seq || this.closed) return; // a newer page was asked for meanwhile
    await Promise.all([this.picture("original", original), this.picture("blind", blind)]);
    this.draw();
    this.el.viewer.dataset.state = "ready";
    this.el.viewer.dataset.page = String(this.page);
    this.el.viewer.dataset.revision = String(this.revision);
  }

  async picture(which, settled) {
    const pane = this.el[which];
    if (this.urls[which]) URL.revokeObjectURL(this.urls[which]);
    this.urls[which] = null;
    if (settled.status !== "fulfilled") {
      pane.img.hidden = true;
      pane.missing.hidden = false;
      fill(pane.missing, bi("无法显示此页", "Page not available"), h("br"), describe(settled.reason));
      return;
    }
    this.urls[which] = URL.createObjectURL(settled.value);
    pane.img.hidden = false;
    pane.missing.hidden = true;
    pane.img.src = this.urls[which];
    try {
      await pane.img.decode();
    } catch {
      // a broken picture shows as such
    }
  }

  // -- layout -------------------------------------------------------------------------------
  build() {
    const pane = (which, zh, en, hint) => {
      const img = h("img", { alt: `${zh} ${en}`, draggable: "false" });
      const overlay = h("div", { class: "overlay", dataset: { pane: which } });
      const missing = h("div", { class: "missing", hidden: true });
      const caption = h("figcaption", {}, h("strong", {}, bi(zh, en)), hint ? h("span", { class: "hint" }, hint) : null);
      const figure = h("figure", { class: "pane", id: `pane-${which}` }, caption, h("div", { class: "sheet" }, img, overlay, missing));
      return { figure, img, overlay, missing, caption };
    };
    this.el = {
      title: h("h2", { id: "file-title" }),
      meta: h("div", { class: "meta", id: "file-meta" }),
      pager: h("div", { class: "pager" }),
      tools: h("div", { class: "tools" }),
      legend: h("div", { class: "legend", id: "legend" }),
      details: h("div", { id: "details", class: "details" }),
      original: pane("original", "原件", "Original", bi("拖动鼠标画框以添加区域", "drag to add a region")),
      blind: pane("blind", "盲审件", "Blind copy"),
    };
    this.el.viewer = h(
      "section",
      { id: "viewer", class: "card viewer" },
      h(
        "div",
        { class: "bar" },
        h("button", { type: "button", id: "back", onclick: () => this.back() }, bi("← 任务列表", "Jobs")),
        this.el.title,
        this.el.meta,
      ),
      h("div", { class: "bar" }, this.el.pager, this.el.tools),
      this.el.legend,
      h(
        "div",
        { class: "work" },
        h("div", { class: "panes" }, this.el.original.figure, this.el.blind.figure),
        h("aside", { class: "side" }, this.el.details, this.edits.build()),
      ),
    );
    fill(this.root, this.el.viewer);
    this.edits.attach(this.el.original.overlay);
  }

  header() {
    const f = this.file;
    fill(this.el.title, h("span", { class: "mono" }, `#${f.index + 1} `), h("span", { class: "fname" }, f.name));
    const v = this.manifest && this.manifest.verification;
    const passed = v && v.text_leaks === 0 && v.rescan_findings === 0 && v.pixels_changed_outside_masks === 0 && v.metadata_clean;
    fill(
      this.el.meta,
      statusBadge(f.status),
      f.error ? h("span", { class: "err" }, ` ${f.error} `) : " ",
      h("span", { class: "mono muted", title: this.jobId }, `任务 job ${this.jobId.slice(0, 8)}`),
      this.manifest ? h("span", { class: "muted" }, ` · 策略 policy ${this.manifest.policy}`) : null,
      v ? h("span", { class: passed ? "ok" : "err" }, passed ? " · 验证通过 verified" : " · 验证未通过 not verified") : null,
    );
    const select = h("select", { id: "revision", disabled: this.edits.busy, onchange: (e) => this.showRevision(Number(e.target.value)) });
    for (let r = f.revision; r >= 0; r -= 1) {
      const text = r === 0 ? "r0 机器处理 machine" : `r${r} 人工修订 auditor`;
      select.append(h("option", { value: String(r), selected: r === this.revision }, text + (r === f.revision ? " · 当前 current" : "")));
    }
    fill(
      this.el.tools,
      h("label", {}, bi("修订", "Revision"), " ", select),
      h("button", { type: "button", id: "download-blind", onclick: () => this.fetchOut("blind") }, bi("下载盲审件", "Download blind copy")),
      h("button", { type: "button", id: "download-report", onclick: () => this.fetchOut("report") }, bi("下载报告", "Download report")),
    );
  }

  async fetchOut(what) {
    const ext = what === "report" ? "report.html" : `blind.${this.file.name.split(".").pop() || "pdf"}`;
    try {
      await download(filePath(this.jobId, this.index, `/${what}?revision=${this.revision}`), `file${this.index + 1}.${ext}`);
    } catch (error) {
      say(describe(error), "error");
    }
  }

  pager() {
    const n = this.pageCount();
    fill(
      this.el.pager,
      h("button", { type: "button", id: "prev-page", disabled: this.page === 0, onclick: () => this.showPage(this.page - 1) }, bi("◀ 上一页", "Prev")),
      h("span", { id: "page-no" }, `第 ${this.page + 1} / ${n} 页`),
      h("button", { type: "button", id: "next-page", disabled: this.page >= n - 1, onclick: () => this.showPage(this.page + 1) }, bi("下一页 ▶", "Next")),
    );
  }

  legend() {
    const counts = new Map();
    for (const page of this.manifest ? this.manifest.pages : []) {
      for (const r of page.regions) counts.set(r.category, (counts.get(r.category) || 0) + 1);
    }
    const chip = (colour, cls, text) => {
      const swatch = h("span", { class: `swatch ${cls}` });
      if (colour) swatch.style.setProperty("--c", colour);
      return h("span", { class: "chip" }, swatch, text);
    };
    fill(
      this.el.legend,
      h("span", { class: "muted" }, bi("图例", "Legend"), "："),
      [...counts].map(([name, count]) => {
        const c = category(name);
        return chip(c.colour, "", [`${c.label} `, h("small", {}, name), ` ×${count}`]);
      }),
      counts.size === 0 ? h("span", { class: "muted" }, bi("无遮盖区域", "no regions")) : null,
      chip("#000", "pending", bi("待添加", "to add")),
      chip("#000", "marked", bi("待删除", "to remove")),
      chip("#888", "accepted", bi("已确认保留", "accepted, left readable")),
    );
  }

  // -- boxes --------------------------------------------------------------------------------
  /** Redraw the boxes of the shown page over both pictures, and the details panel. */
  draw() {
    const info = this.pageInfo();
    for (const which of ["original", "blind"]) {
      const pane = this.el[which];
      fill(pane.overlay);
      if (!info || pane.img.hidden) continue;
      info.regions.forEach((r, i) => pane.overlay.append(this.box(info, r, i)));
      for (const r of info.removed || []) pane.overlay.append(this.accepted(info, r));
      pane.overlay.append(...this.edits.overlayBoxes(this.page, info, (pageInfo, add, i) => this.pendingBox(pageInfo, add, i)));
      if (which === "original") this.edits.keepDraft(pane.overlay, this.page);
    }
    this.edits.render();
    this.details();
  }

  box(info, region, i) {
    const c = category(region.category);
    const number = this.numbers[this.page] + i + 1;
    const selected = this.selected && this.selected.kind === "region" && this.selected.page === this.page && this.selected.i === i;
    const marked = this.edits.isMarked(this.page, i);
    const el = h(
      "div",
      {
        class: `box${selected ? " selected" : ""}${marked ? " marked" : ""}`,
        title: `#${number} ${c.label} ${region.category}`,
        dataset: { number: String(number), category: region.category, source: region.source || "", i: String(i) },
        onpointerdown: (e) => e.stopPropagation(),
        onclick: (e) => {
          e.stopPropagation();
          this.select({ kind: "region", page: this.page, i });
        },
      },
      h("span", { class: "num" }, marked ? `✕${number}` : String(number)),
    );
    place(el, info, region.bbox, c.colour);
    return el;
  }

  accepted(info, record) {
    const c = category(record.category);
    const el = h("div", { class: "box accepted", title: `已确认保留 accepted: ${c.label} (r${record.revision ?? ""})` });
    place(el, info, record.bbox, "#888888");
    return el;
  }

  pendingBox(info, add, i) {
    const c = category(add.category);
    const selected = this.selected && this.selected.kind === "add" && this.selected.i === i;
    const el = h(
      "div",
      {
        class: `box pending${selected ? " selected" : ""}`,
        title: `待添加 to add: ${c.label}`,
        onpointerdown: (e) => e.stopPropagation(),
        onclick: (e) => {
          e.stopPropagation();
          this.select({ kind: "add", i });
        },
      },
      h("span", { class: "num" }, "+"),
    );
    place(el, info, add.bbox, c.colour);
    return el;
  }

  select(what) {
    this.selected = what;
    this.draw();
  }

  details() {
    const s = this.selected;
    if (s && s.kind === "region" && s.page === this.page && this.pageInfo() && this.pageInfo().regions[s.i]) {
      const r = this.pageInfo().regions[s.i];
      const number = this.numbers[this.page] + s.i + 1;
      fill(this.el.details, regionDetails(r, number, this.pageInfo().unit), this.edits.regionActions(this.page, s.i, r, number));
    } else if (s && s.kind === "add" && this.edits.adds[s.i]) {
      fill(this.el.details, this.edits.addDetails(s.i));
    } else {
      fill(this.el.details, h("h3", {}, bi("区域详情", "Region")), h("p", { class: "hint" }, bi("点击方框查看详情。", "Click a box for its details.")));
    }
  }

  key(event) {
    if (event.target.closest && event.target.closest("input, select, textarea")) return;
    if (event.key === "ArrowLeft") this.showPage(this.page - 1);
    else if (event.key === "ArrowRight") this.showPage(this.page + 1);
    else if (event.key === "Escape") {
      this.edits.cancelDraw();
      this.select(null);
    } else if ((event.key === "Delete" || event.key === "Backspace") && this.selected) {
      event.preventDefault();
      this.edits.toggleSelected();
    }
  }
}

/** Document-wide numbering: the number before the first region of each page. */
function numbering(manifest) {
  const starts = [];
  let n = 0;
  for (const page of manifest ? manifest.pages : []) {
    starts.push(n);
    n += page.regions.length;
  }
  return starts;
}

/** Put ``el`` over ``bbox`` (page units) in percent of the page, in ``colour``. */
export function place(el, info, bbox, colour) {
  const [x0, y0, x1, y1] = bbox;
  el.style.left = `${(x0 / info.width) * 100}%`;
  el.style.top = `${(y0 / info.height) * 100}%`;
  el.style.width = `${((x1 - x0) / info.width) * 100}%`;
  el.style.height = `${((y1 - y0) / info.height) * 100}%`;
  el.style.setProperty("--c", colour);
}

function regionDetails(r, number, unit) {
  const c = category(r.category);
  const [zh, en] = SOURCE_LABELS[r.source] || [r.source || "—", ""];
  const row = (k, ke, v) => h("tr", {}, h("th", {}, bi(k, ke)), h("td", {}, v));
  const swatch = h("span", { class: "swatch" });
  swatch.style.setProperty("--c", c.colour);
  return [
    h("h3", {}, bi(`区域 #${number}`, "Region")),
    h(
      "table",
      { class: "kv", id: "region-details" },
      row("类别", "Category", [swatch, ` ${c.label} `, h("small", {}, r.category)]),
      row("规则", "Rule", h("span", { class: "mono" }, r.rule || "—")),
      row("分数", "Score", typeof r.score === "number" ? r.score.toFixed(3) : "—"),
      row("来源", "Source", bi(zh, en)),
      row("位置", "Box", h("span", { class: "mono" }, `${r.bbox.map((v) => Math.round(v)).join(", ")} ${unit}`)),
      r.author ? row("修订人", "Author", h("span", { class: "mono" }, `${r.author} · r${r.revision ?? ""}`)) : null,
    ),
  ];
}
