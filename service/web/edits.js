// An auditor's changes to the current revision: draw a box on the original to add a region
// (category and an optional note), mark a region for removal, then Apply: one
// POST /v1/jobs/{id}/files/{n}/regions with all pending changes, then poll the job until the
// new revision has been re-rendered and re-verified from the original, and show it.
// Changes are kept per viewer (not stored anywhere) until applied or discarded.

import { ApiError, describe, filePath, getJson, jobPath, postJson } from "./api.js";
import { allCategories, bi, category, fill, h, say } from "./dom.js";

const POLL_MS = 800;
const POLL_LIMIT_MS = 15 * 60 * 1000;
const MIN_DRAG_PX = 4;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (v) => Math.round(v * 100) / 100;

export class Edits {
  constructor(viewer) {
    this.viewer = viewer;
    this.adds = []; // {page, bbox, category, note}
    this.removes = new Map(); // "page:i" -> {page, i, number, bbox, category, note}
    this.busy = false;
    this.drag = null;
    this.draft = null; // {page, bbox, el}
    this.lastCategory = "other";
    this.closed = false;
  }

  close() {
    this.closed = true;
  }

  get count() {
    return this.adds.length + this.removes.size;
  }

  /** The boxes of pending additions (and the one being drawn) on page ``page``. */
  overlayBoxes(page, info, boxFor) {
    if (!this.viewer.current) return [];
    const boxes = [];
    this.adds.forEach((a, i) => {
      if (a.page === page) boxes.push(boxFor(info, a, i));
    });
    return boxes;
  }

  /** Keep the box being drawn or confirmed over the original after a redraw. */
  keepDraft(overlay, page) {
    const el = this.drag ? this.drag.el : this.draft && this.draft.page === page ? this.draft.el : null;
    if (el) overlay.append(el);
  }

  isMarked(page, i) {
    return this.viewer.current && this.removes.has(`${page}:${i}`);
  }

  // -- the side panel -------------------------------------------------------------------------
  build() {
    this.el = {
      draftForm: h("form", { id: "add-form", class: "add-form", hidden: true }),
      list: h("ol", { id: "pending", class: "pending" }),
      note: h("input", { id: "revision-note", type: "text", maxlength: "2000", placeholder: "修订说明（可选） note, optional" }),
      apply: h("button", { type: "button", id: "apply", class: "primary", onclick: () => this.apply() }, bi("应用修改", "Apply")),
      discard: h("button", { type: "button", id: "discard", onclick: () => this.discard() }, bi("全部撤销", "Discard")),
      hint: h("p", { class: "hint", id: "edit-hint" }),
    };
    this.el.draftForm.addEventListener("submit", (e) => {
      e.preventDefault();
      this.confirmDraft();
    });
    return h(
      "div",
      { class: "edits" },
      this.el.draftForm,
      h("h3", {}, bi("待提交修改", "Pending changes")),
      this.el.list,
      this.el.note,
      h("div", { class: "buttons" }, this.el.apply, this.el.discard),
      this.el.hint,
    );
  }

  render() {
    const v = this.viewer;
    const items = [
      ...this.adds.map((a, i) => {
        const c = category(a.category);
        return h("li", { class: "add" }, `＋ ${c.label} `, h("small", {}, a.category), ` · 第${a.page + 1}页`,
          a.note ? h("span", { class: "muted" }, ` · ${a.note}`) : null,
          h("button", { type: "button", class: "x", title: "撤销 undo", disabled: this.busy, onclick: () => this.undoAdd(i) }, "×"));
      }),
      ...[...this.removes.values()].map((r) => {
        const c = category(r.category);
        return h("li", { class: "remove" }, `－ #${r.number} ${c.label} `, h("small", {}, r.category), ` · 第${r.page + 1}页`,
          h("button", { type: "button", class: "x", title: "撤销 undo", disabled: this.busy, onclick: () => this.unmark(r.page, r.i) }, "×"));
      }),
    ];
    fill(this.el.list, items.length ? items : h("li", { class: "muted none" }, bi("无", "none")));
    this.el.apply.disabled = !v.editable || this.count === 0;
    this.el.discard.disabled = this.busy || this.count === 0;
    let hint = "";
    if (!v.current) hint = "正在查看旧修订，只能在当前修订上修改。 Viewing an older revision: changes apply to the current one.";
    else if (v.file.status !== "done") hint = "文件未成功完成，不能修改。 The file did not finish: it cannot be revised.";
    fill(this.el.hint, hint);
    v.el.original.figure.classList.toggle("drawable", v.editable);
  }

  // -- drawing on the original ------------------------------------------------------------------
  attach(overlay) {
    overlay.addEventListener("pointerdown", (e) => this.start(e, overlay));
    overlay.addEventListener("pointermove", (e) => this.move(e, overlay));
    overlay.addEventListener("pointerup", (e) => this.end(e, overlay));
    overlay.addEventListener("pointercancel", () => this.cancelDraw());
  }

  point(e, overlay) {
    const rect = overlay.getBoundingClientRect();
    const info = this.viewer.pageInfo();
    const fx = Math.min(1, Math.max(0, (e.clientX - rect.left) / rect.width));
    const fy = Math.min(1, Math.max(0, (e.clientY - rect.top) / rect.height));
    return { x: fx * info.width, y: fy * info.height, px: e.clientX, py: e.clientY };
  }

  start(e, overlay) {
    if (e.button !== 0 || !this.viewer.editable) return;
    e.preventDefault();
    this.cancelDraw();
    overlay.setPointerCapture(e.pointerId);
    const p = this.point(e, overlay);
    this.viewer.select(null); // redraws the overlay: append the new box after it
    const el = h("div", { class: "box draft" });
    overlay.append(el);
    this.drag = { from: p, to: p, el };
  }

  move(e, overlay) {
    if (!this.drag) return;
    this.drag.to = this.point(e, overlay);
    this.placeDraft(this.drag.el, this.dragBox());
  }

  end(e, overlay) {
    if (!this.drag) return;
    this.drag.to = this.point(e, overlay);
    const { from, to, el } = this.drag;
    this.drag = null;
    if (Math.abs(to.px - from.px) < MIN_DRAG_PX || Math.abs(to.py - from.py) < MIN_DRAG_PX) {
      el.remove(); // a click on the page, not a box
      return;
    }
    const bbox = [from.x, from.y, to.x, to.y];
    const box = [Math.min(bbox[0], bbox[2]), Math.min(bbox[1], bbox[3]), Math.max(bbox[0], bbox[2]), Math.max(bbox[1], bbox[3])].map(round);
    this.draft = { page: this.viewer.page, bbox: box, el };
    this.placeDraft(el, box);
    this.showDraftForm();
  }

  dragBox() {
    const { from, to } = this.drag;
    return [Math.min(from.x, to.x), Math.min(from.y, to.y), Math.max(from.x, to.x), Math.max(from.y, to.y)];
  }

  placeDraft(el, [x0, y0, x1, y1]) {
    const info = this.viewer.pageInfo();
    el.style.left = `${(x0 / info.width) * 100}%`;
    el.style.top = `${(y0 / info.height) * 100}%`;
    el.style.width = `${((x1 - x0) / info.width) * 100}%`;
    el.style.height = `${((y1 - y0) / info.height) * 100}%`;
  }

  showDraftForm() {
    const select = h("select", { id: "add-category", name: "category" });
    for (const c of allCategories()) {
      select.append(h("option", { value: c.name, selected: c.name === this.lastCategory }, `${c.label}  ${c.name}`));
    }
    const note = h("input", { id: "add-note", name: "note", type: "text", maxlength: "500", placeholder: "备注（可选） note, optional" });
    fill(
      this.el.draftForm,
      h("h3", {}, bi("新增区域", "New region"), h("small", { class: "muted" }, ` · 第${this.draft.page + 1}页`)),
      h("label", {}, bi("类别", "Category"), " ", select),
      note,
      h("div", { class: "buttons" },
        h("button", { type: "submit", id: "add-confirm", class: "primary" }, bi("添加", "Add")),
        h("button", { type: "button", id: "add-cancel", onclick: () => this.cancelDraw() }, bi("取消", "Cancel"))),
    );
    this.el.draftForm.hidden = false;
    select.focus();
  }

  confirmDraft() {
    if (!this.draft) return;
    const form = this.el.draftForm;
    const chosen = form.querySelector("#add-category").value;
    const note = form.querySelector("#add-note").value.trim();
    this.lastCategory = chosen;
    this.adds.push({ page: this.draft.page, bbox: this.draft.bbox, category: chosen, note });
    this.cancelDraw();
    this.viewer.draw();
  }

  cancelDraw() {
    if (this.drag) this.drag.el.remove();
    if (this.draft) this.draft.el.remove();
    this.drag = null;
    this.draft = null;
    if (this.el) {
      this.el.draftForm.hidden = true;
      fill(this.el.draftForm);
    }
  }

  // -- marking and undoing ----------------------------------------------------------------------
  regionActions(page, i, region, number) {
    if (!this.viewer.editable) return null;
    const marked = this.isMarked(page, i);
    const reason = h("input", { id: "remove-note", type: "text", maxlength: "500", placeholder: "删除理由（可选） reason, optional" });
    const button = h(
      "button",
      { type: "button", id: "toggle-remove", class: marked ? "" : "danger",
        onclick: () => (marked ? this.unmark(page, i) : this.mark(page, i, region, number, reason.value.trim())) },
      marked ? bi("取消删除", "Keep this region") : bi("标记删除（保留原文）", "Mark for removal"),
    );
    return h("div", { class: "actions" }, marked ? null : reason, button);
  }

  addDetails(i) {
    const a = this.adds[i];
    const c = category(a.category);
    return [
      h("h3", {}, bi("待添加区域", "Region to add")),
      h("p", {}, `${c.label} `, h("small", {}, a.category), ` · 第${a.page + 1}页`, a.note ? ` · ${a.note}` : ""),
      h("button", { type: "button", onclick: () => this.undoAdd(i) }, bi("撤销", "Undo")),
    ];
  }

  mark(page, i, region, number, note) {
    this.removes.set(`${page}:${i}`, { page, i, number, bbox: region.bbox, category: region.category, note });
    this.viewer.draw();
  }

  unmark(page, i) {
    this.removes.delete(`${page}:${i}`);
    this.viewer.draw();
  }

  undoAdd(i) {
    this.adds.splice(i, 1);
    this.viewer.selected = null;
    this.viewer.draw();
  }

  toggleSelected() {
    const s = this.viewer.selected;
    if (!s || !this.viewer.editable) return;
    if (s.kind === "add") return this.undoAdd(s.i);
    const region = this.viewer.pageInfo().regions[s.i];
    if (this.isMarked(s.page, s.i)) this.unmark(s.page, s.i);
    else this.mark(s.page, s.i, region, this.viewer.numbers[s.page] + s.i + 1, "");
  }

  discard() {
    this.adds = [];
    this.removes.clear();
    this.cancelDraw();
    this.viewer.select(null);
  }

  // -- applying --------------------------------------------------------------------------------
  changes() {
    const body = {
      add: this.adds.map(({ page, bbox, category: cat, note }) => ({ page, bbox, category: cat, note })),
      remove: [...this.removes.values()].map(({ page, bbox, note }) => ({ page, bbox, note })),
    };
    const note = this.el.note.value.trim();
    if (note) body.note = note;
    return body;
  }

  async apply() {
    const v = this.viewer;
    if (!v.editable || this.count === 0) return;
    this.busy = true;
    v.header();
    v.draw();
    try {
      say("正在提交修改… Submitting…", "info", true);
      const queued = await postJson(filePath(v.jobId, v.index, "/regions"), this.changes());
      const file = await this.waitFor(queued.revision);
      this.adds = [];
      this.removes.clear();
      this.el.note.value = "";
      this.busy = false;
      await v.reload();
      if (file.status === "done") say(`修订 r${queued.revision} 已生成并通过验证。 Revision ${queued.revision} is ready.`, "ok");
      else say(`修订 r${queued.revision} 未发布 (${file.error || "failed"})：未通过验证，盲审件不可用。 Not released.`, "error");
    } catch (error) {
      this.busy = false;
      say(describe(error), "error");
      v.header();
      v.draw();
    }
  }

  /** Poll the job until ``revision`` of the file has ended; returns the file's status. */
  async waitFor(revision) {
    const v = this.viewer;
    const deadline = Date.now() + POLL_LIMIT_MS;
    while (Date.now() < deadline && !this.closed) {
      try {
        const job = await getJson(jobPath(v.jobId));
        const f = job.files[v.index];
        if (f.revision >= revision && (f.status === "done" || f.status === "failed")) return f;
        say(`正在重新生成 r${revision}：${f.pages_done} / ${f.pages} 页 · Re-rendering…`, "info", true);
      } catch (error) {
        if (error instanceof ApiError) throw error; // 401/404: stop; network errors: try again
      }
      await sleep(POLL_MS);
    }
    throw new Error("timeout");
  }
}
