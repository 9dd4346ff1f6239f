// Sign-in and routing of the spot-check page. The token is kept in sessionStorage (this tab
// only); the location hash says what is shown: "#/" the job list, "#/job/<id>/<n>" file n of
// a job. A 401 from any call signs out and asks for the token again.

import { describe, getJson, setUnauthorizedHandler, token } from "./api.js";
import { fill, loadCategories, say } from "./dom.js";
import { JobList } from "./jobs.js";
import { Viewer } from "./viewer.js";

const $ = (id) => document.getElementById(id);
const FILE_ROUTE = /^#\/job\/([0-9a-f]{32})\/(\d{1,4})$/;

let view = null;

function closeView() {
  if (view) view.close();
  view = null;
  fill($("view"));
}

function signedIn(yes) {
  $("signin").hidden = yes;
  $("signout").hidden = !yes;
  $("view").hidden = !yes;
}

async function route() {
  closeView();
  if (!token.get()) {
    signedIn(false);
    $("token").focus();
    return;
  }
  signedIn(true);
  const match = FILE_ROUTE.exec(location.hash);
  if (match) {
    view = new Viewer($("view"), match[1], Number(match[2]), () => {
      location.hash = "#/";
    });
  } else {
    view = new JobList($("view"), (jobId, index) => {
      location.hash = `#/job/${jobId}/${index}`;
    });
  }
  await view.show();
}

async function signIn(event) {
  event.preventDefault();
  const value = $("token").value.trim();
  if (!value) return;
  token.set(value);
  try {
    await getJson("/v1/jobs?limit=1"); // checks the token before anything is shown
  } catch (error) {
    token.clear();
    say(describe(error), "error");
    return;
  }
  $("token").value = "";
  say("");
  await route();
}

function signOut() {
  token.clear();
  closeView();
  say("已退出。 Signed out.", "ok");
  signedIn(false);
}

async function main() {
  try {
    await loadCategories();
  } catch {
    say("无法加载类别表 Could not load categories", "error");
  }
  setUnauthorizedHandler(() => {
    token.clear();
    closeView();
    signedIn(false);
  });
  $("signin-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  $("status").addEventListener("click", () => say(""));
  window.addEventListener("hashchange", route);
  window.addEventListener("unhandledrejection", (event) => {
    event.preventDefault(); // shown in the page, never in the console (it may hold text)
    say(describe(event.reason), "error");
  });
  await route();
}

main();
