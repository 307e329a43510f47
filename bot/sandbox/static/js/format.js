// Telegram HTML → safe DOM. The emulator validated each message's HTML already; this is a
// second, independent allow-list: the source is parsed in an inert document and a new tree
// is built from scratch with createElement/text nodes only. Allowed: b, i, u, s, a, code,
// pre, blockquote and spoilers (plus Telegram's aliases strong/em/ins/strike/del and
// <span class="tg-spoiler">); tg-emoji and tg-time keep their text; links keep only an
// http(s) or tg: href. Everything else is reduced to its text; script-like content is dropped.

const SIMPLE = {
  b: "b", strong: "b", i: "i", em: "i", u: "u", ins: "u", s: "s", strike: "s", del: "s",
};
const DROPPED = new Set([
  "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
  "title", "textarea", "select", "img", "video", "audio", "link", "meta", "head", "frame",
]);
const URL_RE = /\b(?:https?:\/\/|tg:\/\/|t\.me\/)[^\s<>"«»]+/gi;
const COMMAND_RE = /(^|[\s(«"])(\/[a-z0-9_]{1,32})(?![\w/@])/gi;
const TRAILING = /[.,!?;:)»"'…]+$/;

// The href to keep, or null. Only absolute http(s)/tg URLs; "example.com" means http://.
export function safeHref(raw) {
  let value = String(raw ?? "").trim();
  if (!value) return null;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    if (!/^[\w-]+(\.[\w-]+)+([/?#].*)?$/.test(value)) return null;
    value = `http://${value}`;
  }
  let url;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return ["http:", "https:", "tg:"].includes(url.protocol) ? url.href : null;
}

function link(href, text) {
  const a = document.createElement("a");
  const safe = safeHref(href);
  if (safe) {
    a.href = safe;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
  }
  a.textContent = text;
  return a;
}

function command(name) {
  const span = document.createElement("span");
  span.className = "command";
  span.dataset.command = name;
  span.textContent = name;
  return span;
}

// Text with Telegram's automatic links: URLs and /commands (clickable, they send the command).
export function autoLinked(text, { commands = true } = {}) {
  const out = document.createDocumentFragment();
  const found = [];
  for (const match of text.matchAll(URL_RE)) {
    let value = match[0];
    const trailing = value.match(TRAILING);
    if (trailing) value = value.slice(0, -trailing[0].length);
    found.push({ start: match.index, end: match.index + value.length, node: () => link(
      /^t\.me\//i.test(value) ? `https://${value}` : value, value) });
  }
  if (commands) {
    for (const match of text.matchAll(COMMAND_RE)) {
      const start = match.index + match[1].length;
      const end = start + match[2].length;
      if (found.some((f) => start < f.end && end > f.start)) continue;
      found.push({ start, end, node: () => command(match[2]) });
    }
  }
  found.sort((a, b) => a.start - b.start);
  let at = 0;
  for (const piece of found) {
    if (piece.start < at) continue;
    if (piece.start > at) out.append(text.slice(at, piece.start));
    out.append(piece.node());
    at = piece.end;
  }
  if (at < text.length) out.append(text.slice(at));
  return out;
}

function element(source) {
  const tag = source.localName;
  if (SIMPLE[tag]) return { node: document.createElement(SIMPLE[tag]) };
  switch (tag) {
    case "a": {
      const a = link(source.getAttribute("href"), "");
      return { node: a, plain: true };
    }
    case "code": {
      const code = document.createElement("code");
      return { node: code, plain: true };
    }
    case "pre": {
      const pre = document.createElement("pre");
      const inner = source.querySelector(":scope > code[class^='language-']");
      const language = inner ? inner.className.slice("language-".length) : "";
      if (/^[\w+#.-]{1,32}$/.test(language)) pre.dataset.language = language;
      return { node: pre, plain: true };
    }
    case "blockquote": {
      const quote = document.createElement("blockquote");
      if (source.hasAttribute("expandable")) quote.className = "expandable collapsed";
      return { node: quote };
    }
    case "tg-spoiler":
      return { node: spoiler() };
    case "span":
      return source.classList.contains("tg-spoiler") ? { node: spoiler() } : null;
    default:
      return null; // tg-emoji, tg-time and anything unknown: keep the text only
  }
}

function spoiler() {
  const span = document.createElement("span");
  span.className = "spoiler";
  span.title = "Спойлер: нажмите, чтобы показать";
  return span;
}

const BLOCKS = new Set(["blockquote", "pre"]);

function isBlock(node) {
  return node !== null && node.nodeType === Node.ELEMENT_NODE && BLOCKS.has(node.localName);
}

// A block (quote, code block) takes the line breaks right before and after it, as Telegram's
// clients show it; without this each block would get an extra empty line.
function blockTrimmed(node) {
  let text = node.data;
  if (isBlock(node.previousSibling) && text.startsWith("\n")) text = text.slice(1);
  if (isBlock(node.nextSibling) && text.endsWith("\n")) text = text.slice(0, -1);
  return text;
}

function build(source, target, plain) {
  for (const child of source.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      const text = blockTrimmed(child);
      target.append(plain ? document.createTextNode(text) : autoLinked(text));
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE || DROPPED.has(child.localName)) continue;
    const made = element(child);
    if (made === null) {
      build(child, target, plain);
      continue;
    }
    build(child, made.node, plain || made.plain === true);
    target.append(made.node);
  }
}

// A fragment for a message's HTML (or its plain text when there is no HTML).
export function renderMessageHtml(html, text) {
  const out = document.createDocumentFragment();
  if (typeof html !== "string") {
    out.append(autoLinked(String(text ?? "").trim()));
    return out;
  }
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html.trim()}`, "text/html");
  build(doc.body, out, false);
  return out;
}

// Plain text of a message, one line, for reply quotes and previews.
export function preview(message) {
  const text = message.text ?? message.caption ?? "";
  const line = text.replace(/\s+/g, " ").trim();
  if (line) return line.length > 90 ? `${line.slice(0, 90)}…` : line;
  return kindLabel(message);
}

const KIND_LABELS = {
  photo: "🖼 Фото", sticker: "🙂 Стикер", voice: "🎤 Голосовое сообщение", video: "🎬 Видео",
  video_note: "⏺ Видеосообщение", audio: "🎵 Аудио", document: "📄 Файл",
  animation: "🎞 GIF", location: "📍 Геопозиция", poll: "📊 Опрос", dice: "🎲 Кубик",
  contact: "👤 Контакт",
};

// What Telegram writes in the pill of a service message.
export function serviceText(message) {
  const extra = message.extra || {};
  const name = (user) => fullName(user || {}) || "Кто-то";
  if (extra.new_chat_members) return `${extra.new_chat_members.map(name).join(", ")}: в группе`;
  if (extra.left_chat_member) return `${name(extra.left_chat_member)} покинул(а) группу`;
  if (extra.pinned_message) return "Сообщение закреплено";
  if (extra.migrate_to_chat_id || extra.migrate_from_chat_id) return "Группа стала супергруппой";
  if (extra.group_chat_created || extra.supergroup_chat_created) return "Группа создана";
  if (extra.new_chat_title) return `Новое название группы: «${extra.new_chat_title}»`;
  if (extra.forum_topic_created) return `Создана тема «${extra.forum_topic_created.name}»`;
  if (extra.forum_topic_edited?.name) return `Тема переименована: «${extra.forum_topic_edited.name}»`;
  if (extra.forum_topic_closed) return "Тема закрыта";
  if (extra.forum_topic_reopened) return "Тема снова открыта";
  return "Служебное сообщение";
}

export function kindLabel(message) {
  return KIND_LABELS[message.kind] ?? `[${message.kind}]`;
}

export function initials(person) {
  const first = (person.first_name || "?").trim()[0] || "?";
  const second = (person.last_name || "").trim()[0] || "";
  return (first + second).toUpperCase();
}

export function fullName(person) {
  return [person.first_name, person.last_name].filter(Boolean).join(" ");
}

// Times are shown in the bot's TIMEZONE (like the cards), not in the browser's zone.
let timeZone;
export function setTimeZone(name) {
  try {
    new Intl.DateTimeFormat("ru-RU", { timeZone: name });
    timeZone = name;
  } catch {
    timeZone = undefined; // a zone this browser does not know: its own
  }
}

export function clockTime(unix) {
  const date = new Date(unix * 1000);
  return date.toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit", timeZone });
}

// Telegram's palette for names and avatars, picked by user id.
const COLORS = 7;
export function colorIndex(id) {
  return Math.abs(Number(id)) % COLORS;
}
