"use strict";
// The demo page: one person per tab (?as=N), talking to the bot through the emulator.
// Everything shown is set as text or rebuilt from the tags Telegram allows; nothing is inserted as HTML.
const params = new URLSearchParams(location.search);
const person = /^\d{1,2}$/.test(params.get("as") || "") ? params.get("as") : "0";
const query = "?as=" + person + "&lang=" + encodeURIComponent((navigator.language || "en").slice(0, 2));
const chat = document.getElementById("chat");
const toastBox = document.getElementById("toast");
const input = document.getElementById("text");
const shown = new Map();
const ALLOWED = new Set(["B","STRONG","I","EM","U","INS","S","STRIKE","DEL","A","CODE","PRE","BLOCKQUOTE","TG-SPOILER","SPAN"]);
const PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;
let after = 0;
let words = {};
let spoken = "";
let bot = "";
let toastTimer = 0;
let offline = false;

function toast(text) {
  if (!text) return;
  toastBox.textContent = text;
  toastBox.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toastBox.hidden = true; }, 5000);
}

function speak(data) {
  // The page's own words, in the language the bot speaks to this person (it follows /language).
  const key = data.lang + JSON.stringify(data.words) + data.name;
  if (key === spoken) return;
  spoken = key;
  words = data.words;
  document.documentElement.lang = data.lang;
  document.documentElement.dir = data.dir;
  document.title = words.title;
  document.getElementById("heading").textContent = "CPC Companion" + (person === "0" ? "" : " · " + data.name);
  document.getElementById("subtitle").textContent = words.subtitle;
  input.placeholder = words.placeholder;
  input.setAttribute("aria-label", words.placeholder);
  document.getElementById("send").textContent = words.send;
  const label = document.getElementById("photo-label");
  label.title = words.photo;
  label.setAttribute("aria-label", words.photo);
}

function inviteHref(url) {
  // The bot's invite links (t.me/<bot>?start=...) open here, as a new person in a new tab.
  if (!bot) return null;
  const m = new RegExp("^https?://t\\.me/" + bot + "\\?start=([A-Za-z0-9_-]{1,64})$").exec(url);
  return m ? "/demo/invite?start=" + m[1] : null;
}

function inviteAnchor(url) {
  const a = document.createElement("a");
  a.className = "invite"; a.href = inviteHref(url); a.target = "_blank"; a.rel = "noopener";
  a.title = words.invite || ""; a.textContent = url;
  return a;
}

function linkInvites(root) {
  if (!bot) return;
  const pattern = new RegExp("https?://t\\.me/" + bot + "\\?start=[A-Za-z0-9_-]{1,64}", "g");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  for (const node of nodes) {
    if (node.parentElement && node.parentElement.closest("a")) continue;
    const text = node.textContent;
    let last = 0, found = null, m;
    pattern.lastIndex = 0;
    while ((m = pattern.exec(text))) {
      found = found || document.createDocumentFragment();
      found.append(text.slice(last, m.index), inviteAnchor(m[0]));
      last = m.index + m[0].length;
    }
    if (found) { found.append(text.slice(last)); node.replaceWith(found); }
  }
}

function safeHtml(html) {
  // Rebuild only the tags Telegram allows; everything else becomes plain text.
  const doc = new DOMParser().parseFromString("<div>" + html + "</div>", "text/html");
  const out = document.createElement("span");
  (function copy(from, to) {
    for (const node of from.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) { to.appendChild(document.createTextNode(node.textContent)); continue; }
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      if (!ALLOWED.has(node.tagName)) { copy(node, to); continue; }
      const el = document.createElement(node.tagName === "TG-SPOILER" ? "span" : node.tagName);
      if (node.tagName === "A") {
        const href = node.getAttribute("href") || "";
        const invite = inviteHref(href);
        if (invite) { el.href = invite; el.className = "invite"; el.title = words.invite || ""; }
        else if (/^https?:/.test(href)) el.href = href;
        el.target = "_blank"; el.rel = "noopener";
      }
      copy(node, el); to.appendChild(el);
    }
  })(doc.body.firstChild, out);
  return out;
}

function body(m) {
  const out = document.createElement("span");
  if (m.kind === "document") {
    const d = document.createElement("div"); d.className = "doc";
    const a = document.createElement("a"); a.href = "/demo/api/document/" + encodeURIComponent(m.file_id);
    a.textContent = "📄 " + (m.file_name || "document"); a.setAttribute("download", m.file_name || "document");
    d.appendChild(a); out.appendChild(d);
    if (m.text) out.appendChild(m.html ? safeHtml(m.text) : document.createTextNode(m.text));
  } else if (m.kind === "photo") {
    if (m.file_id) {
      const src = "/demo/api/image/" + encodeURIComponent(m.file_id);
      const a = document.createElement("a"); a.href = src; a.target = "_blank"; a.rel = "noopener";
      const img = document.createElement("img"); img.className = "thumb"; img.src = src; img.alt = words.your_photo || "";
      a.appendChild(img); out.appendChild(a);
    }
    if (m.text) out.appendChild(document.createTextNode(m.text));
  } else if (m.kind !== "text") {
    out.appendChild(document.createTextNode("(" + m.kind + ")"));
  } else {
    out.appendChild(m.from_bot && m.html ? safeHtml(m.text) : document.createTextNode(m.text));
  }
  if (m.from_bot) linkInvites(out);
  return out;
}

function render(m) {
  let el = shown.get(m.id);
  if (m.deleted) { if (el) { el.remove(); shown.delete(m.id); } return; }
  if (!el) { el = document.createElement("div"); shown.set(m.id, el); chat.appendChild(el); }
  el.className = "msg " + (m.from_bot ? "bot" : "me");
  el.dir = "auto";
  el.replaceChildren(body(m));
  if (m.buttons.length) {
    const box = document.createElement("div"); box.className = "buttons";
    for (const row of m.buttons) {
      const r = document.createElement("div"); r.className = "row";
      for (const b of row) {
        const btn = document.createElement("button"); btn.type = "button"; btn.textContent = b.text;
        if (b.url) btn.addEventListener("click", () => window.open(inviteHref(b.url) || b.url, "_blank", "noopener"));
        else btn.addEventListener("click", () => tap(m.id, b.data));
        r.appendChild(btn);
      }
      box.appendChild(r);
    }
    el.appendChild(box);
  }
  chat.scrollTop = chat.scrollHeight;
}

async function send(url, options) {
  try {
    const r = await fetch(url + query, options);
    offline = false;
    return r;
  } catch (e) {
    toast(words.stopped);
    return null;
  }
}

function post(url, payload) {
  return send(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(payload)});
}

async function tap(messageId, data) {
  // A button whose message is gone or changed (an old tab, a double tap): say so kindly.
  const r = await post("/demo/api/tap", {message_id: messageId, data: data});
  if (r && !r.ok) toast(words.stale);
}

async function poll() {
  let first = true;
  for (;;) {
    try {
      const r = await fetch("/demo/api/messages" + query + "&after=" + after + "&wait=" + (first ? 0 : 20));
      const data = await r.json();
      if (/^\w+$/.test(data.bot || "")) bot = data.bot;
      speak(data);
      for (const m of data.messages) { render(m); after = Math.max(after, m.seq); }
      for (const t of data.toasts) { if (!first) toast(t.text); after = Math.max(after, t.seq); }
      first = false;
      offline = false;
    } catch (e) {
      if (!offline) toast(words.stopped);
      offline = true;
      await new Promise(res => setTimeout(res, 2000));
    }
  }
}

document.getElementById("form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  await post("/demo/api/say", {text});
});
document.getElementById("photo").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const form = new FormData(); form.append("photo", file);
  await send("/demo/api/photo", {method: "POST", body: form});
  e.target.value = "";
});

// Opened from an invite link: send /start with its payload once, as Telegram does.
const start = params.get("start");
if (start && PAYLOAD.test(start)) {
  history.replaceState(null, "", "/?as=" + person);
  post("/demo/api/say", {text: "/start " + start});
}
poll();
