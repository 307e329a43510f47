// One chat pane (the owner's private chat with the bot, or the consultants' group): header
// with the persona switcher, the forum's topics (when the group has them), messages with
// inline keyboards and the bot's reactions, reply keyboard, composer.
// The pane only renders and reports what the person does; app.js talks to the server.

import { h } from "./dom.js";
import {
  clockTime, colorIndex, fullName, initials, kindLabel, preview, renderMessageHtml, safeHref,
  serviceText,
} from "./format.js";

const NEAR_BOTTOM = 120;
const PENDING_MS = 4000;

export class ChatPane {
  // options: { id, kind: "private"|"group", roleLabel, addLabel, emptyText, actions }
  // actions: { send(text, replyTo), click(message, button), pressKey(key), media(kind),
  //            link(href) → bool (handled), persona(id), addPerson(), commands() }
  constructor(root, options) {
    this.root = root;
    this.options = options;
    this.actions = options.actions;
    this.messages = new Map();
    this.nodes = new Map();
    this.viewer = null;
    this.chatId = null;
    this.replyTo = null;
    this.replyKeyboard = null;
    this.keyboardHidden = false;
    this.typingTimer = null;
    this.topics = []; // the forum's topics (none: not a forum), oldest first
    this.topic = null; // the topic shown (null: the General topic)
    this.unread = new Map(); // thread id (0: General) → new messages not seen yet
    this.build();
  }

  // -- layout -------------------------------------------------------------------------------

  build() {
    const { kind } = this.options;
    this.avatar = h("div", { className: "avatar big" });
    this.title = h("div", { className: "chat-title" });
    this.subtitle = h("div", { className: "chat-subtitle" });
    this.personaSelect = h("select", {
      className: "persona-select",
      "aria-label": this.options.roleLabel,
      onchange: () => this.actions.persona(Number(this.personaSelect.value)),
    });
    this.addButton = h("button", {
      className: "btn ghost add-person",
      type: "button",
      text: this.options.addLabel,
      onclick: () => this.actions.addPerson(),
    });
    const head = h("div", { className: "pane-head" },
      this.avatar,
      h("div", { className: "chat-names" }, this.title, this.subtitle),
      h("div", { className: "persona" },
        h("span", { className: "persona-label", text: this.options.roleLabel }),
        this.personaSelect, this.addButton));

    this.topicsBar = h("div", { className: "topics", role: "tablist", hidden: true });
    this.list = h("div", { className: "message-list" });
    this.empty = h("div", { className: "empty-card" });
    this.scroller = h("div", { className: "messages", role: "log", "aria-live": "polite" },
      this.empty, this.list);
    this.scroller.addEventListener("click", (event) => this.onMessagesClick(event));

    this.toasts = h("div", { className: "toasts" });
    this.replyBar = h("div", { className: "reply-bar", hidden: true });
    this.keyboardPanel = h("div", { className: "reply-keyboard", hidden: true });

    this.input = h("textarea", {
      className: "composer-input", rows: 1, placeholder: "Сообщение",
      "aria-label": "Сообщение",
      onkeydown: (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.submit();
        }
      },
      oninput: () => this.autosize(),
    });
    this.menuButton = h("button", {
      className: "menu-button", type: "button", title: "Команды бота",
      onclick: (event) => { event.stopPropagation(); this.toggleCommands(); },
    }, h("span", { className: "menu-icon", "aria-hidden": "true" }), kind === "private" ? "Меню" : "/");
    this.attachButton = h("button", {
      className: "icon-button attach", type: "button", title: "Отправить вложение",
      "aria-label": "Отправить вложение",
      onclick: (event) => { event.stopPropagation(); this.toggleAttach(); },
    }, "📎");
    this.keyboardToggle = h("button", {
      className: "icon-button keyboard-toggle", type: "button", hidden: true,
      title: "Показать клавиатуру бота", "aria-label": "Клавиатура бота",
      onclick: () => { this.keyboardHidden = !this.keyboardHidden; this.renderKeyboard(); },
    }, "⌨\uFE0E");
    this.sendButton = h("button", {
      className: "send-button", type: "button", title: "Отправить", "aria-label": "Отправить",
      onclick: () => this.submit(),
    }, "➤");
    this.popover = h("div", { className: "popover", hidden: true });
    this.composer = h("div", { className: "composer" },
      this.menuButton, this.attachButton, this.input, this.keyboardToggle, this.sendButton,
      this.popover);
    this.startButton = h("button", {
      className: "start-button", type: "button", hidden: true, text: "Запустить",
      onclick: () => this.actions.send("/start"),
    });
    document.addEventListener("click", () => { this.popover.hidden = true; });

    this.root.replaceChildren(head, this.topicsBar, h("div", { className: "chat-body" },
      this.scroller, this.toasts), this.replyBar, this.keyboardPanel, this.composer,
      this.startButton);
    this.empty.append(h("div", { className: "empty-title", text: this.options.emptyTitle }),
      h("div", { text: this.options.emptyText }));
  }

  setHeader({ title, subtitle, avatarText, color }) {
    this.title.textContent = title;
    this.baseSubtitle = subtitle;
    this.subtitle.textContent = subtitle;
    this.avatar.textContent = avatarText;
    this.avatar.dataset.color = String(color);
  }

  setPeople(people, viewerId) {
    this.personaSelect.replaceChildren(...people.map((person) => h("option", {
      value: String(person.id),
      text: fullName(person) + (person.admin ? " (админ)" : ""),
    })));
    this.personaSelect.value = String(viewerId);
  }

  // -- forum topics -------------------------------------------------------------------------

  // Telegram shows a forum as its topics: the General one and one per subject (here, one per
  // lead, made by the bot). Each shows only its own messages.
  setTopics(topics) {
    this.topics = topics.filter((topic) => !topic.deleted);
    if (this.topic !== null && !this.topics.some((t) => t.message_thread_id === this.topic)) {
      this.topic = null;
    }
    this.renderTopics();
  }

  renderTopics() {
    const forum = this.topics.length > 0;
    this.topicsBar.hidden = !forum;
    if (!forum) return;
    const tab = (threadId, label, closed) => {
      const unread = this.unread.get(threadId ?? 0) ?? 0;
      return h("button", {
        className: `topic${threadId === this.topic ? " active" : ""}${closed ? " closed" : ""}`,
        type: "button", role: "tab", "aria-selected": String(threadId === this.topic),
        dataset: { thread: threadId ?? 0 }, title: label,
        onclick: () => this.selectTopic(threadId),
      }, h("span", { className: "topic-name", text: `${closed ? "🔒 " : "# "}${label}` }),
      unread ? h("span", { className: "topic-unread", text: String(unread) }) : null);
    };
    this.topicsBar.replaceChildren(tab(null, "Общий", false),
      ...this.topics.map((t) => tab(t.message_thread_id, t.name, t.closed)));
  }

  selectTopic(threadId) {
    this.topic = threadId;
    this.unread.delete(threadId ?? 0);
    this.setReply(null);
    this.renderTopics();
    this.rerender();
    this.scrollToBottom();
    this.topicsBar.querySelector(".topic.active")?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  visible(message) {
    if (!this.topics.length) return true;
    return (message.message_thread_id ?? null) === this.topic;
  }

  rerender() {
    this.nodes.clear();
    this.list.replaceChildren();
    for (const message of this.messages.values()) {
      if (!this.visible(message)) continue;
      const node = this.renderMessage(message);
      this.nodes.set(message.message_id, node);
      this.list.append(node);
    }
    this.updateEmpty();
  }

  // -- chat contents ------------------------------------------------------------------------

  show(chatId, viewer, messages, replyKeyboard) {
    this.chatId = chatId;
    this.viewer = viewer;
    this.messages.clear();
    this.nodes.clear();
    this.list.replaceChildren();
    this.setReply(null);
    for (const message of messages) this.upsert(message, { quiet: true });
    this.setReplyKeyboard(replyKeyboard);
    this.updateEmpty();
    this.scrollToBottom();
  }

  upsert(message, { quiet = false } = {}) {
    if (message.deleted) {
      this.remove(message.message_id);
      return;
    }
    const follow = this.isNearBottom() || (!message.from_bot && message.sender_id === this.viewer?.id);
    const old = this.nodes.get(message.message_id);
    const known = this.messages.has(message.message_id);
    this.messages.set(message.message_id, message);
    if (!this.visible(message)) {
      if (!known && !quiet && message.kind !== "service") {
        const key = message.message_thread_id ?? 0;
        this.unread.set(key, (this.unread.get(key) ?? 0) + 1);
        this.renderTopics();
      }
      return;
    }
    const node = this.renderMessage(message);
    this.nodes.set(message.message_id, node);
    if (old) {
      old.replaceWith(node);
      if (!quiet) node.classList.add("flash");
    } else {
      this.list.append(node);
      this.updateEmpty();
      if (follow && !quiet) this.scrollToBottom();
    }
  }

  remove(messageId) {
    this.nodes.get(messageId)?.remove();
    this.nodes.delete(messageId);
    this.messages.delete(messageId);
    this.updateEmpty();
  }

  updateEmpty() {
    const empty = this.nodes.size === 0; // in this topic, when the group has topics
    this.empty.hidden = !empty;
    const canStart = this.options.kind === "private" && empty;
    this.startButton.hidden = !canStart;
    this.composer.hidden = canStart;
  }

  isNearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM;
  }

  scrollToBottom() {
    requestAnimationFrame(() => { this.scroller.scrollTop = this.scroller.scrollHeight; });
  }

  // -- one message --------------------------------------------------------------------------

  renderMessage(message) {
    if (message.kind === "service") {
      return h("div", { className: "msg service", dataset: { id: message.message_id } },
        h("span", { className: "service-pill", text: serviceText(message) }));
    }
    const mine = !message.from_bot && message.sender_id === this.viewer?.id;
    const group = this.options.kind === "group";
    const row = h("div", {
      className: `msg ${mine ? "out" : "in"}${message.from_bot ? " from-bot" : ""}`,
      dataset: { id: message.message_id },
    });
    const color = colorIndex(message.sender_id);
    const sender = this.sender(message);
    if (group && !mine) {
      row.append(h("div", {
        className: "avatar small", dataset: { color }, "aria-hidden": "true", text: initials(sender),
      }));
    }
    const bubble = h("div", { className: "bubble" });
    if (group && !mine) {
      bubble.append(h("div", { className: "author", dataset: { color } }, fullName(sender),
        message.from_bot ? h("span", { className: "badge", text: "бот" }) : null));
    }
    if (message.reply_to_message_id) bubble.append(this.renderQuote(message.reply_to_message_id));
    bubble.append(this.renderContent(message));
    const meta = h("span", { className: "meta" },
      message.edit_date ? h("span", { className: "edited", text: "изменено" }) : null,
      h("time", {
        text: clockTime(message.edit_date || message.date),
        dateTime: new Date((message.edit_date || message.date) * 1000).toISOString(),
      }));
    (bubble.querySelector(".text:last-child") || bubble).append(meta);
    if (message.reactions?.length) {
      bubble.append(h("div", { className: "reactions" }, message.reactions.map((reaction) =>
        h("span", { className: "reaction", title: "Реакция бота",
          text: reaction.emoji ?? "★" }))));
    }

    const stack = h("div", { className: "stack" }, bubble);
    const markup = message.reply_markup;
    if (markup && Array.isArray(markup.inline_keyboard)) {
      stack.append(this.renderInlineKeyboard(message, markup.inline_keyboard));
    }
    const replyAction = h("button", {
      className: "reply-action", type: "button", title: "Ответить", "aria-label": "Ответить",
      onclick: () => this.setReply(message),
    }, "↩\uFE0E");
    row.append(stack, replyAction);
    return row;
  }

  sender(message) {
    const known = message.from_bot ? null : this.actions.person(message.sender_id);
    return known ?? { first_name: message.sender_name };
  }

  renderQuote(messageId) {
    const quoted = this.messages.get(messageId);
    const name = quoted ? (quoted.from_bot || quoted.sender_id !== this.viewer?.id
      ? fullName(this.sender(quoted)) : "Вы") : "Сообщение";
    return h("div", {
      className: "reply-quote", dataset: { target: messageId, color: colorIndex(quoted?.sender_id ?? 0) },
    },
      h("div", { className: "quote-name", text: name }),
      h("div", { className: "quote-text", text: quoted ? preview(quoted) : "удалено" }));
  }

  renderContent(message) {
    const body = document.createDocumentFragment();
    if (message.kind === "contact" && message.contact) {
      const contact = message.contact;
      body.append(h("div", { className: "contact-card" },
        h("div", { className: "avatar", dataset: { color: colorIndex(contact.user_id ?? 0) },
          text: initials(contact) }),
        h("div", {},
          h("div", { className: "contact-name", text: fullName(contact) }),
          h("div", { className: "contact-phone", text: contact.phone_number }))));
      body.append(h("div", { className: "text" }));
      return body;
    }
    if (message.text !== null && message.text !== undefined) {
      body.append(h("div", { className: "text" }, renderMessageHtml(message.html, message.text)));
      return body;
    }
    if (message.file && (message.kind === "photo" || message.kind === "sticker")) {
      const chip = h("div", { className: "media-chip", text: kindLabel(message), hidden: true });
      const image = h("img", {
        className: `photo ${message.kind}`, src: this.actions.fileUrl(message.file.file_id),
        alt: kindLabel(message), loading: "lazy",
        onerror: () => { image.remove(); chip.hidden = false; },
      });
      body.append(image, chip);
    } else if (message.file && message.kind === "document") {
      body.append(h("a", {
        className: "file-card", href: this.actions.fileUrl(message.file.file_id),
        download: message.file.file_name || "file",
      },
        h("span", { className: "file-icon", text: "📄" }),
        h("span", {},
          h("span", { className: "file-name", text: message.file.file_name || "Файл" }),
          h("span", { className: "file-size", text: sizeLabel(message.file.file_size) }))));
    } else {
      body.append(h("div", { className: "media-chip", text: kindLabel(message) }));
    }
    const caption = h("div", { className: "text" });
    if (message.caption) caption.append(renderMessageHtml(message.caption_html, message.caption));
    body.append(caption);
    return body;
  }

  renderInlineKeyboard(message, rows) {
    return h("div", { className: "inline-keyboard" }, rows.map((row) =>
      h("div", { className: "kb-row" }, row.map((button) => this.renderButton(message, button)))));
  }

  renderButton(message, button) {
    const text = button.text ?? "";
    if (button.url || button.login_url?.url || button.web_app?.url) {
      const href = safeHref(button.url || button.login_url?.url || button.web_app?.url);
      if (!href) return h("button", { className: "kb-button", type: "button", disabled: true }, text);
      return h("a", {
        className: "kb-button link", href, target: "_blank", rel: "noopener noreferrer",
        title: href, onclick: (event) => { if (this.actions.link(href)) event.preventDefault(); },
      }, text, h("span", { className: "corner", "aria-hidden": "true", text: "↗\uFE0E" }));
    }
    const inline = button.switch_inline_query ?? button.switch_inline_query_current_chat
      ?? button.switch_inline_query_chosen_chat?.query;
    if (inline !== undefined) {
      return h("button", {
        className: "kb-button chip", type: "button",
        title: "Инлайн-режим: что бот предложит отправить в другой чат",
        onclick: () => this.actions.inline(inline),
      }, text, h("span", { className: "corner", "aria-hidden": "true", text: "↪\uFE0E" }));
    }
    if (button.copy_text?.text !== undefined) {
      return h("button", {
        className: "kb-button", type: "button",
        onclick: () => {
          navigator.clipboard?.writeText(button.copy_text.text).catch(() => {});
          this.toast("Скопировано");
        },
      }, text);
    }
    if (button.callback_data !== undefined && !message.inline) {
      const node = h("button", {
        className: "kb-button", type: "button",
        onclick: () => {
          node.classList.add("pending");
          setTimeout(() => node.classList.remove("pending"), PENDING_MS);
          this.actions.click(message, button);
        },
      }, text);
      return node;
    }
    return h("button", { className: "kb-button", type: "button", disabled: true }, text);
  }

  callbackAnswered(messageId) {
    this.nodes.get(messageId)?.querySelectorAll(".kb-button.pending")
      .forEach((node) => node.classList.remove("pending"));
  }

  // -- reply keyboard -----------------------------------------------------------------------

  setReplyKeyboard(markup) {
    this.replyKeyboard = markup && Array.isArray(markup.keyboard) ? markup : null;
    this.keyboardHidden = false;
    this.renderKeyboard();
  }

  renderKeyboard() {
    const markup = this.replyKeyboard;
    this.keyboardToggle.hidden = !markup;
    this.input.placeholder = markup?.input_field_placeholder || "Сообщение";
    if (!markup || this.keyboardHidden) {
      this.keyboardPanel.hidden = true;
      return;
    }
    this.keyboardPanel.replaceChildren(...markup.keyboard.map((row) => h("div", { className: "key-row" },
      row.map((raw) => {
        const key = typeof raw === "string" ? { text: raw } : raw;
        return h("button", {
          className: `key${key.request_contact ? " contact" : ""}`, type: "button",
          onclick: () => {
            if (markup.one_time_keyboard) { this.keyboardHidden = true; this.renderKeyboard(); }
            this.actions.pressKey(key);
          },
        }, key.text);
      }))));
    this.keyboardPanel.hidden = false;
  }

  // -- composer -----------------------------------------------------------------------------

  setReply(message) {
    this.replyTo = message;
    if (!message) {
      this.replyBar.hidden = true;
      this.replyBar.replaceChildren();
      return;
    }
    this.replyBar.replaceChildren(
      h("span", { className: "reply-icon", text: "↩\uFE0E" }),
      h("div", { className: "reply-what" },
        h("div", { className: "quote-name", text: `В ответ ${message.from_bot ? "боту" : message.sender_name}` }),
        h("div", { className: "quote-text", text: preview(message) })),
      h("button", {
        className: "icon-button", type: "button", title: "Не отвечать", "aria-label": "Отменить ответ",
        onclick: () => this.setReply(null),
      }, "✕"));
    this.replyBar.hidden = false;
    this.input.focus();
  }

  async submit() {
    const text = this.input.value.trim();
    if (!text) return;
    const replyTo = this.replyTo?.message_id;
    this.input.value = "";
    this.autosize();
    this.setReply(null);
    await this.actions.send(text, replyTo);
  }

  autosize() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 140)}px`;
  }

  async toggleCommands() {
    if (!this.popover.hidden) {
      this.popover.hidden = true;
      return;
    }
    const commands = await this.actions.commands();
    const items = commands.length ? commands.map((c) => h("button", {
      className: "popover-item", type: "button",
      onclick: () => { this.popover.hidden = true; this.actions.send(`/${c.command}`); },
    }, h("span", { className: "command-name", text: `/${c.command}` }),
    h("span", { className: "command-text", text: c.description })))
      : [h("div", { className: "popover-empty", text: "Бот не задал команды" })];
    this.popover.replaceChildren(...items);
    this.popover.className = "popover commands";
    this.popover.hidden = false;
  }

  toggleAttach() {
    if (!this.popover.hidden) {
      this.popover.hidden = true;
      return;
    }
    const kinds = [["photo", "🖼 Фото"], ["document", "📄 Файл"], ["voice", "🎤 Голосовое"],
      ["sticker", "🙂 Стикер"], ["location", "📍 Геопозиция"]];
    this.popover.replaceChildren(...kinds.map(([kind, label]) => h("button", {
      className: "popover-item", type: "button",
      onclick: () => { this.popover.hidden = true; this.actions.media(kind); },
    }, label)));
    this.popover.className = "popover attach-menu";
    this.popover.hidden = false;
  }

  // -- clicks inside messages ---------------------------------------------------------------

  onMessagesClick(event) {
    const target = event.target;
    const spoiler = target.closest(".spoiler");
    if (spoiler) {
      spoiler.classList.add("revealed");
      return;
    }
    const quote = target.closest(".reply-quote");
    if (quote) {
      const node = this.nodes.get(Number(quote.dataset.target));
      if (node) {
        node.scrollIntoView({ block: "center", behavior: "smooth" });
        node.classList.remove("flash");
        void node.offsetWidth;
        node.classList.add("flash");
      }
      return;
    }
    const expandable = target.closest("blockquote.expandable");
    if (expandable) expandable.classList.toggle("collapsed");
    const command = target.closest(".command");
    if (command) {
      this.actions.send(command.dataset.command);
      return;
    }
    const anchor = target.closest(".text a[href]");
    if (anchor && this.actions.link(anchor.href)) event.preventDefault();
  }

  // -- notices ------------------------------------------------------------------------------

  toast(text) {
    const node = h("div", { className: "toast", role: "status", text });
    this.toasts.append(node);
    setTimeout(() => node.classList.add("leaving"), 2600);
    setTimeout(() => node.remove(), 3000);
  }

  alert(text) {
    const close = () => overlay.remove();
    const overlay = h("div", { className: "alert-overlay", onclick: (e) => { if (e.target === overlay) close(); } },
      h("div", { className: "alert-box", role: "alertdialog", "aria-label": text },
        h("div", { className: "alert-title", text: this.options.alertTitle() }),
        h("div", { className: "alert-text", text }),
        h("button", { className: "btn primary", type: "button", text: "OK", onclick: close })));
    this.root.append(overlay);
    overlay.querySelector("button").focus();
  }

  // The bot's answer to an inline query, as the chat picker would offer it.
  inlineResults(query, results) {
    const close = () => overlay.remove();
    const cards = results.map((result) => {
      const content = result.input_message_content ?? {};
      const text = content.message_text;
      const html = content.parse_mode === "HTML" ? text : undefined;
      const rows = result.reply_markup?.inline_keyboard ?? [];
      const sample = { message_id: 0, inline: true };
      return h("div", { className: "inline-result" },
        h("div", { className: "inline-title", text: result.title ?? result.type }),
        result.description ? h("div", { className: "inline-description", text: result.description }) : null,
        text ? h("div", { className: "stack" },
          h("div", { className: "bubble" },
            h("div", { className: "text" }, renderMessageHtml(html, text))),
          rows.length ? this.renderInlineKeyboard(sample, rows) : null) : null);
    });
    const overlay = h("div", {
      className: "alert-overlay", onclick: (e) => { if (e.target === overlay) close(); },
    },
      h("div", { className: "alert-box inline-box", role: "dialog", "aria-label": "Инлайн-режим" },
        h("div", { className: "alert-title", text: `@${this.options.botUsername()} ${query}`.trim() }),
        h("div", { className: "inline-hint",
          text: "В Telegram это предложение появится в выбранном чате; здесь — его предпросмотр." }),
        cards.length ? cards : h("div", { className: "popover-empty", text: "Бот ничего не предложил" }),
        h("button", { className: "btn primary", type: "button", text: "Закрыть", onclick: close })));
    overlay.addEventListener("click", (event) => {
      const anchor = event.target.closest("a[href]");
      if (anchor && overlay.contains(anchor)) close();
    });
    this.root.append(overlay);
  }

  typing(who) {
    this.subtitle.textContent = who ? `${who} печатает…` : "печатает…";
    this.subtitle.classList.add("typing");
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => {
      this.subtitle.textContent = this.baseSubtitle;
      this.subtitle.classList.remove("typing");
    }, 2500);
  }
}

function sizeLabel(bytes) {
  if (!bytes && bytes !== 0) return "";
  if (bytes < 1024) return `${bytes} Б`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} КБ`;
  return `${(bytes / 1024 / 1024).toFixed(1)} МБ`;
}
