// The /v1 API as the page uses it: every call carries the auditor's bearer token, pictures
// and downloads are fetched as blobs with that header (never by a bare URL), and failures
// become ApiError with the API's error name (DESIGN exit-code names or HTTP reasons).
// Nothing here writes to the console: responses may hold document text.

const KEY = "mangshen.token";

export const token = {
  get: () => sessionStorage.getItem(KEY) || "",
  set: (value) => sessionStorage.setItem(KEY, value.trim()),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(`${status} ${code}${detail ? `: ${detail}` : ""}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

/** Called on 401 (set by app.js): back to sign-in. */
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

async function request(path, { method = "GET", body } = {}) {
  const headers = { Authorization: `Bearer ${token.get()}` };
  const init = { method, headers, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.ok) return response;
  let info = {};
  try {
    info = await response.json();
  } catch {
    // not JSON: keep the HTTP reason
  }
  const detail = Array.isArray(info.detail) ? info.detail.join("; ") : info.detail || "";
  const error = new ApiError(response.status, info.error || response.statusText || "error", detail);
  if (response.status === 401) onUnauthorized(error);
  throw error;
}

export async function getJson(path) {
  return (await request(path)).json();
}

export async function postJson(path, body) {
  return (await request(path, { method: "POST", body })).json();
}

export async function getBlob(path) {
  return (await request(path)).blob();
}

/** The file name a download offers: the server's Content-Disposition, else ``fallback``. */
function fileName(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const star = /filename\*=(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // malformed: fall through
    }
  }
  const plain = /filename="?([^";]+)"?/.exec(header);
  return plain ? plain[1] : fallback;
}

/** Fetch ``path`` with the token and hand it to the browser as a file download. */
export async function download(path, fallback) {
  const response = await request(path);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName(response, fallback);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Path of a file of a job: ``/v1/jobs/{id}/files/{n}`` plus ``rest``. */
export function filePath(jobId, index, rest = "") {
  return `/v1/jobs/${encodeURIComponent(jobId)}/files/${Number(index)}${rest}`;
}

export function jobPath(jobId) {
  return `/v1/jobs/${encodeURIComponent(jobId)}`;
}

/** A short, human message for an error (Chinese first, the API's name in small text). */
export function describe(error) {
  if (error instanceof ApiError) {
    const known = {
      401: "令牌无效或已失效",
      404: "未找到",
      409: "文件仍在处理中或状态冲突",
      413: "超出限制",
      429: "队列已满，请稍后再试",
    };
    const zh = known[error.status] || "请求失败";
    return `${zh} (${error.status} ${error.code}${error.detail ? `: ${error.detail}` : ""})`;
  }
  return `网络错误 (${error && error.name ? error.name : "error"})`;
}
