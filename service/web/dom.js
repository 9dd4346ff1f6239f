// Element helpers. Text from the API only ever becomes text nodes (never innerHTML), so a
// file name or a note cannot inject markup.

/**
 * h("button", {class: "x", onclick: fn, dataset: {id: "1"}}, "text", child, ...)
 * Attributes: "class", "dataset", "style" (an object, applied through CSSOM), "on<event>"
 * (listeners), booleans (set when true), anything else through setAttribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style") Object.assign(el.style, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A Chinese label with its English gloss in small text. */
export function bi(zh, en) {
  return [zh, " ", h("small", {}, en)];
}

/** Replace all children of ``el``. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const statusBar = () => document.getElementById("status");
let statusTimer = 0;

/** Show a message in the status bar; ``kind`` is "info", "ok" or "error". */
export function say(message, kind = "info", sticky = false) {
  const bar = statusBar();
  clearTimeout(statusTimer);
  bar.textContent = message;
  bar.className = `status ${kind}`;
  bar.hidden = !message;
  if (message && !sticky && kind !== "error") {
    statusTimer = setTimeout(() => say(""), 4000);
  }
}

export function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export const STATUS_LABELS = {
  queued: ["排队中", "queued"],
  running: ["处理中", "running"],
  done: ["已完成", "done"],
  failed: ["失败", "failed"],
};

export function statusBadge(status) {
  const [zh, en] = STATUS_LABELS[status] || [status, ""];
  return h("span", { class: `badge st-${status}` }, bi(zh, en));
}

let categoryTable = null;

/** Categories with labels and colours, from /ui/categories.json (same as the report). */
export async function loadCategories() {
  if (!categoryTable) {
    const response = await fetch("categories.json", { cache: "no-cache" });
    categoryTable = await response.json();
  }
  return categoryTable;
}

export function allCategories() {
  return categoryTable || [];
}

export function category(name) {
  const found = (categoryTable || []).find((c) => c.name === name);
  return found || { name, label: name, colour: "#555555", kind: "text" };
}

export const SOURCE_LABELS = {
  text: ["文本层", "text layer"],
  ocr: ["文字识别", "OCR"],
  mark: ["图形检测", "mark detector"],
  manual: ["人工添加", "manual"],
};
