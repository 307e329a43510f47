// The sandbox page: two chat panes (an owner's private chat, the consultants' group), the
// persona switchers, the reset button and the live feed (the emulator's events long-poll).

import { ApiError, Emulator, sandbox } from "./api.js";
import { ChatPane } from "./chat.js";
import { sleep } from "./dom.js";
import { colorIndex, fullName, initials, setTimeZone } from "./format.js";

const POLL_SECONDS = 25;
const STORAGE = { owner: "sandbox.owner", consultant: "sandbox.consultant" };
const DEEP_LINK = /^(?:https?:\/\/)?t\.me\/([A-Za-z0-9_]{3,64})\/?\?start=([A-Za-z0-9_-]{0,64})$/i;
const TOPIC_LINK = /^https?:\/\/t\.me\/c\/(\d+)\/(\d+)\/?$/i;
const TG_LINK = /^tg:\/\/resolve\?domain=([A-Za-z0-9_]{3,64})&start=([A-Za-z0-9_-]{0,64})$/i;

const app = {
  state: null,
  emulator: null,
  owner: null,
  consultant: null,
  seq: 0,
  loading: null,
  inline: new Map(), // inline query id → { pane, query } waiting for the bot's answer
};
const INLINE_WAIT_MS = 5000;
const TOPIC_EVENTS = ["forum_topic_created", "forum_topic_edited", "forum_topic_closed",
  "forum_topic_reopened"];

const statusNode = document.getElementById("status");
const resetButton = document.getElementById("reset");
const botLink = document.getElementById("bot-name");

function byId(list, id) {
  return list.find((person) => person.id === id) ?? null;
}

function person(id) {
  if (!app.state) return null;
  if (id === app.state.bot.id) return { id, first_name: app.state.bot.first_name, bot: true };
  return byId(app.state.owners, id) ?? byId(app.state.consultants, id);
}

async function act(pane, action) {
  try {
    return await action();
  } catch (error) {
    pane.toast(`Не получилось: ${error instanceof ApiError ? error.message : error}`);
    return null;
  }
}

function paneActions(paneName) {
  const who = () => (paneName === "owner" ? app.owner : app.consultant);
  const chat = () => (paneName === "owner" ? app.owner.id : app.state.group.id);
  const pane = () => panes[paneName];
  const thread = () => (paneName === "owner" ? null : pane().topic); // the topic shown
  return {
    send: (text, replyTo) => act(pane(), () => app.emulator.sendText(
      who().id, chat(), text, replyTo, thread())),
    click: (message, button) => act(pane(), () => app.emulator.click(
      who().id, chat(), message.message_id, button.callback_data)),
    pressKey: (key) => act(pane(), () => {
      if (key.request_contact) return app.emulator.shareContact(who(), chat());
      if (key.request_location) return app.emulator.sendMedia(who().id, chat(), "location");
      if (key.request_poll) return app.emulator.sendMedia(who().id, chat(), "poll");
      return app.emulator.sendText(who().id, chat(), key.text);
    }),
    media: (kind) => act(pane(), () => app.emulator.sendMedia(who().id, chat(), kind, thread())),
    inline: (query) => inlineQuery(pane(), who(), query),
    link: (href) => followLink(href),
    persona: (id) => choose(paneName, id),
    addPerson: () => addPerson(paneName),
    commands: () => commands(paneName === "owner"
      ? [{ type: "all_private_chats" }, { type: "default" }]
      : [{ type: "chat", chat_id: app.state.group.id }, { type: "all_group_chats" },
        { type: "default" }]),
    fileUrl: (fileId) => app.emulator.fileUrl(fileId),
    person,
  };
}

const panes = {
  owner: new ChatPane(document.getElementById("owner-pane"), {
    kind: "private",
    roleLabel: "Владелец",
    addLabel: "+ Новый",
    emptyTitle: "Личный чат владельца с ботом",
    emptyText: "Владелец ещё не писал боту. Нажмите «Запустить» внизу — бот получит /start.",
    botUsername: () => app.state.bot.username,
    alertTitle: () => app.state.bot.first_name,
    actions: paneActions("owner"),
  }),
  consultant: new ChatPane(document.getElementById("group-pane"), {
    kind: "group",
    roleLabel: "Консультант",
    addLabel: "+ Новый",
    emptyTitle: "Группа консультантов",
    emptyText: "Сюда бот присылает заявки: у каждой своя тема, первое сообщение в ней — "
      + "карточка. Пройдите диагностику в чате владельца — тема появится здесь. В теме всё — "
      + "заметки для своих; владельцу уходит только сообщение, начатое с /send.",
    botUsername: () => app.state.bot.username,
    alertTitle: () => app.state.group.title,
    actions: paneActions("consultant"),
  }),
};

// -- loading ----------------------------------------------------------------------------------

function plural(n, one, few, many) {
  const tens = n % 100;
  const units = n % 10;
  if (tens >= 11 && tens <= 14) return many;
  if (units === 1) return one;
  if (units >= 2 && units <= 4) return few;
  return many;
}

function remembered(kind, list) {
  const stored = Number(localStorage.getItem(STORAGE[kind]));
  return byId(list, stored) ?? list[0];
}

async function load() {
  if (app.loading) return app.loading;
  app.loading = (async () => {
    const state = await sandbox.state();
    app.state = state;
    setTimeZone(state.timezone);
    app.seq = state.last_seq;
    app.emulator = new Emulator(state.bot.id);
    botLink.textContent = `@${state.bot.username}`;
    panes.owner.setHeader({
      title: state.bot.first_name, subtitle: "бот",
      avatarText: initials({ first_name: state.bot.first_name }), color: colorIndex(state.bot.id),
    });
    const members = state.group.members;
    panes.consultant.setHeader({
      title: state.group.title,
      subtitle: `${members} ${plural(members, "участник", "участника", "участников")}`,
      avatarText: initials({ first_name: state.group.title }), color: 3,
    });
    app.owner = remembered("owner", state.owners);
    app.consultant = remembered("consultant", state.consultants);
    await Promise.all([showChat("owner"), showChat("consultant")]);
    setOnline(true);
  })();
  try {
    await app.loading;
  } finally {
    app.loading = null;
  }
}

async function refreshPeople() {
  const state = await sandbox.state();
  app.state = { ...app.state, owners: state.owners, consultants: state.consultants };
  app.owner = byId(state.owners, app.owner?.id) ?? state.owners[0];
  app.consultant = byId(state.consultants, app.consultant?.id) ?? state.consultants[0];
  panes.owner.setPeople(state.owners, app.owner.id);
  panes.consultant.setPeople(state.consultants, app.consultant.id);
}

async function showChat(paneName) {
  const pane = panes[paneName];
  const viewer = paneName === "owner" ? app.owner : app.consultant;
  const chatId = paneName === "owner" ? viewer.id : app.state.group.id;
  const list = paneName === "owner" ? app.state.owners : app.state.consultants;
  pane.setPeople(list, viewer.id);
  const [chat, messages] = await Promise.all([
    app.emulator.chat(chatId), app.emulator.messages(chatId),
  ]);
  if (paneName === "consultant") await loadTopics();
  pane.show(chatId, viewer, messages, chat.reply_keyboard);
  document.body.dataset[`${paneName}Id`] = String(viewer.id);
}

async function loadTopics() {
  const chat = await app.emulator.chat(app.state.group.id);
  const topics = chat.is_forum ? await app.emulator.topics(app.state.group.id) : [];
  panes.consultant.setTopics(topics);
}

// A link to a topic of the consultants' group (t.me/c/<id>/<topic>): open that topic.
function openTopic(href) {
  const match = String(href).match(TOPIC_LINK);
  if (!match || !app.state || `-100${match[1]}` !== String(app.state.group.id)) return false;
  const threadId = Number(match[2]);
  if (!panes.consultant.topics.some((topic) => topic.message_thread_id === threadId)) return false;
  panes.consultant.selectTopic(threadId);
  return true;
}

async function choose(paneName, id) {
  const list = paneName === "owner" ? app.state.owners : app.state.consultants;
  const chosen = byId(list, id);
  if (!chosen) return;
  app[paneName] = chosen;
  localStorage.setItem(STORAGE[paneName], String(id));
  await showChat(paneName);
}

async function addPerson(paneName) {
  const role = paneName === "owner" ? "owner" : "consultant";
  const created = await act(panes[paneName], () => sandbox.addPerson(role));
  if (!created) return null;
  await refreshPeople();
  await choose(paneName, created.id);
  panes[paneName].toast(role === "owner"
    ? `Новый владелец: ${fullName(created)}`
    : `${fullName(created)} теперь в группе консультантов`);
  return created;
}

async function commands(scopes) {
  for (const scope of scopes) {
    const found = await app.emulator.commands(scope).catch(() => []);
    if (found.length) return found;
  }
  return [];
}

// Telegram's share sheet (t.me/share/url?url=…): the link it would send, or null.
function sharedLink(href) {
  try {
    const url = new URL(href);
    if (/^(www\.)?t\.me$/i.test(url.hostname) && url.pathname === "/share/url") {
      return url.searchParams.get("url") ?? "";
    }
  } catch {
    // not a URL: not the share sheet
  }
  return null;
}

// A link to this bot with a start parameter: a new owner follows it and presses «Запустить».
// The share sheet sends such a link to a friend: here the friend follows it at once.
function followLink(href) {
  if (openTopic(href)) return true;
  const shared = sharedLink(String(href));
  const target = shared ?? String(href);
  const match = target.match(DEEP_LINK) ?? target.match(TG_LINK);
  if (!match || match[1].toLowerCase() !== app.state.bot.username.toLowerCase()) {
    if (shared === null) return false;
    panes.owner.toast("В Telegram откроется выбор чата, чтобы отправить ссылку");
    return true;
  }
  const payload = match[2];
  (async () => {
    const created = await addPerson("owner");
    if (!created) return;
    await act(panes.owner, () => app.emulator.sendText(
      created.id, created.id, payload ? `/start ${payload}` : "/start"));
    panes.owner.toast(shared === null
      ? `${fullName(created)} перешёл(ла) по ссылке и запустил(а) бота`
      : `Ссылку отправили в чат: ${fullName(created)} открыл(а) её и запустил(а) бота`);
  })();
  return true;
}

async function inlineQuery(pane, user, query) {
  const receipt = await act(pane, () => app.emulator.inlineQuery(user.id, query));
  if (!receipt) return;
  app.inline.set(receipt.query_id, { pane, query });
  setTimeout(() => {
    if (app.inline.delete(receipt.query_id)) pane.toast("Бот не ответил на инлайн-запрос");
  }, INLINE_WAIT_MS);
}

// -- live feed --------------------------------------------------------------------------------

function paneOf(chatId) {
  if (app.owner && chatId === app.owner.id) return panes.owner;
  if (app.state && chatId === app.state.group.id) return panes.consultant;
  return null;
}

function viewerOf(pane) {
  return pane === panes.owner ? app.owner : app.consultant;
}

async function handle(event) {
  if (event.kind === "sandbox_reset") {
    // The page that pressed «Начать заново» has loaded the new sandbox already: loading it
    // again would redraw both chats under the person's hands.
    if (event.generation !== app.state?.generation) await load();
    return;
  }
  if (event.kind === "inline_answer") {
    const waiting = app.inline.get(event.query_id);
    if (waiting) {
      app.inline.delete(event.query_id);
      waiting.pane.inlineResults(waiting.query, event.results ?? []);
    }
    return;
  }
  const pane = paneOf(event.chat_id);
  if (!pane) return;
  const message = event.message;
  switch (event.kind) {
    case "message":
    case "edit":
      if (pane === panes.consultant && message.kind === "service" && TOPIC_EVENTS.some(
        (field) => message.extra?.[field])) {
        await loadTopics(); // a topic was made, renamed, closed or reopened
      }
      pane.upsert(message);
      if (event.kind === "message" && message.from_bot && message.reply_markup) {
        const markup = message.reply_markup;
        if (markup.keyboard) pane.setReplyKeyboard(markup);
        else if (markup.remove_keyboard) pane.setReplyKeyboard(null);
      }
      if (!message.from_bot && !person(message.sender_id)) await refreshPeople();
      break;
    case "delete":
      pane.remove(message.message_id);
      break;
    case "reaction":
      pane.upsert(message);
      break;
    case "callback_answer":
      pane.callbackAnswered(event.message_id);
      if (event.user_id === viewerOf(pane)?.id && event.text) {
        if (event.show_alert) pane.alert(event.text);
        else pane.toast(event.text);
      }
      break;
    case "chat_action":
      if (event.action === "typing") pane.typing(pane === panes.consultant ? "бот" : "");
      break;
    default:
      break;
  }
}

function setOnline(online) {
  const running = app.state?.bot_running !== false;
  statusNode.classList.toggle("offline", !online || !running);
  if (!online) statusNode.textContent = "нет связи с песочницей…";
  else if (running) statusNode.textContent = "бот работает";
  else statusNode.textContent = "бот остановлен — нажмите «Начать заново»";
}

async function checkBot() {
  const state = await sandbox.state();
  if (app.state) app.state.bot_running = state.bot_running;
  setOnline(true);
}

async function follow() {
  let failures = 0;
  for (;;) {
    try {
      if (!app.state) await load();
      const answer = await app.emulator.events(app.seq, POLL_SECONDS);
      failures = 0;
      setOnline(true);
      if (answer.last_seq < app.seq) {
        // The sandbox was restarted: its event numbers begin anew. Unless this page has
        // loaded the new one already (it pressed «Начать заново»), load it.
        const fresh = await sandbox.state();
        if (fresh.generation !== app.state?.generation) await load();
        continue;
      }
      for (const event of answer.events) {
        app.seq = Math.max(app.seq, event.seq);
        await handle(event);
      }
      if (!answer.events.length) await checkBot();
    } catch (error) {
      failures += 1;
      setOnline(false);
      await sleep(Math.min(500 * failures, 5000));
      if (failures > 1) await load().catch(() => {});
    }
  }
}

// -- reset ------------------------------------------------------------------------------------

resetButton.addEventListener("click", async () => {
  const sure = window.confirm(
    "Начать заново? Песочница удалит свою базу (data/sandbox.sqlite3) и всех созданных людей. "
    + "Рабочая база бота не затрагивается.");
  if (!sure) return;
  resetButton.disabled = true;
  document.body.classList.add("resetting");
  try {
    await sandbox.reset();
    localStorage.removeItem(STORAGE.owner);
    localStorage.removeItem(STORAGE.consultant);
    await load();
    panes.owner.toast("Песочница начата заново");
  } catch (error) {
    panes.owner.toast(`Сброс не удался: ${error.message}`);
  } finally {
    resetButton.disabled = false;
    document.body.classList.remove("resetting");
  }
});

load()
  .then(() => {
    setOnline(true);
    document.body.classList.add("ready");
  })
  .catch(() => setOnline(false))
  .finally(follow);
