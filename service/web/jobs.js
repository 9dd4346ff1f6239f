// The tenant's job list (GET /v1/jobs), newest first: status, pages done, and each file with
// its status and revision; a finished file opens the viewer. Refreshes itself every few
// seconds while any job is still queued or running.

import { describe, getJson } from "./api.js";
import { bi, fill, h, say, statusBadge, when } from "./dom.js";

const REFRESH_MS = 3000;

export class JobList {
  constructor(root, open) {
    this.root = root;
    this.open = open; // (jobId, fileIndex) => void
    this.timer = 0;
    this.closed = false;
  }

  async show() {
    const refresh = h("button", { type: "button", id: "refresh", onclick: () => this.load() }, bi("刷新", "Refresh"));
    this.body = h("tbody", { id: "jobs" });
    this.empty = h("p", { class: "hint", hidden: true }, bi("暂无任务。", "No jobs yet."));
    fill(
      this.root,
      h(
        "section",
        { class: "card" },
        h("div", { class: "bar" }, h("h2", {}, bi("任务列表", "Jobs")), refresh),
        h(
          "table",
          { class: "jobs" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, bi("上传时间", "Uploaded")),
              h("th", {}, bi("任务", "Job")),
              h("th", {}, bi("状态", "Status")),
              h("th", {}, bi("页数", "Pages done")),
              h("th", {}, bi("文件", "Files")),
            ),
          ),
          this.body,
        ),
        this.empty,
      ),
    );
    await this.load();
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
  }

  async load() {
    clearTimeout(this.timer);
    let list;
    try {
      list = await getJson("/v1/jobs?limit=200");
    } catch (error) {
      say(describe(error), "error");
      return;
    }
    if (this.closed) return;
    fill(this.body, list.jobs.map((job) => this.row(job)));
    this.empty.hidden = list.jobs.length > 0;
    if (list.jobs.some((j) => j.status === "queued" || j.status === "running")) {
      this.timer = setTimeout(() => this.load(), REFRESH_MS);
    }
  }

  row(job) {
    return h(
      "tr",
      { dataset: { job: job.id } },
      h("td", { class: "nowrap" }, when(job.created)),
      h("td", { class: "mono", title: job.id }, job.id.slice(0, 8)),
      h("td", {}, statusBadge(job.status)),
      h("td", { class: "num" }, `${job.pages_done} / ${job.pages_total}`),
      h("td", {}, h("ul", { class: "files" }, job.files.map((f) => this.file(job, f)))),
    );
  }

  file(job, f) {
    const viewable = f.status === "done" || f.status === "failed" || f.revision > 0;
    const label = [
      h("span", { class: "mono" }, `#${f.index + 1}`),
      " ",
      h("span", { class: "fname" }, f.name),
    ];
    const meta = [
      " ",
      statusBadge(f.status),
      h("span", { class: "muted" }, ` ${f.pages_done}/${f.pages} 页`),
      f.revision > 0 ? h("span", { class: "muted" }, ` · 修订 r${f.revision}`) : null,
      f.error ? h("span", { class: "err" }, ` ${f.error}`) : null,
    ];
    const open = viewable
      ? h("button", { type: "button", class: "link open-file", onclick: () => this.open(job.id, f.index) }, label)
      : h("span", {}, label);
    return h("li", { dataset: { file: String(f.index) } }, open, meta);
  }
}
