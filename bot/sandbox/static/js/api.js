// HTTP calls of the page: the sandbox's /api/ and the emulator's control API (/_emu/).
// Both answer {"ok": true, "result": ...} or {"ok": false, "error": "..."}.

export class ApiError extends Error {}

async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let payload;
  try {
    payload = await response.json();
  } catch {
    throw new ApiError(`${response.status} ${response.statusText}`);
  }
  if (!payload.ok) throw new ApiError(payload.error || `HTTP ${response.status}`);
  return payload.result;
}

export const sandbox = {
  state: () => call("GET", "/api/state"),
  addPerson: (role, firstName) => call("POST", "/api/people", { role, first_name: firstName }),
  reset: () => call("POST", "/api/reset", {}),
};

// The emulator's control API for one bot: read the world, act as its users.
export class Emulator {
  constructor(botId) {
    this.base = `/_emu/bots/${botId}`;
  }

  chat(chatId) {
    return call("GET", `${this.base}/chats/${chatId}`);
  }

  messages(chatId) {
    return call("GET", `${this.base}/chats/${chatId}/messages`);
  }

  events(after, timeout) {
    return call("GET", `${this.base}/events?after=${after}&timeout=${timeout}`);
  }

  commands(scope) {
    return call("GET", `${this.base}/commands?scope=${encodeURIComponent(JSON.stringify(scope))}`);
  }

  fileUrl(fileId) {
    return `${this.base}/files/${encodeURIComponent(fileId)}`;
  }

  topics(chatId) {
    return call("GET", `${this.base}/chats/${chatId}/topics`);
  }

  sendText(userId, chatId, text, replyTo, threadId) {
    const body = { user_id: userId, chat_id: chatId, text };
    if (replyTo) body.reply_to_message_id = replyTo;
    if (threadId) body.thread_id = threadId;
    return call("POST", `${this.base}/messages`, body);
  }

  click(userId, chatId, messageId, data) {
    return call("POST", `${this.base}/clicks`, {
      user_id: userId, chat_id: chatId, message_id: messageId, callback_data: data,
    });
  }

  shareContact(user, chatId) {
    const body = {
      user_id: user.id,
      chat_id: chatId,
      phone_number: user.phone,
      first_name: user.first_name,
      contact_user_id: user.id,
    };
    if (user.last_name) body.last_name = user.last_name;
    return call("POST", `${this.base}/contacts`, body);
  }

  inlineQuery(userId, query) {
    return call("POST", `${this.base}/inline_queries`, { user_id: userId, query });
  }

  sendMedia(userId, chatId, kind, threadId) {
    const body = { user_id: userId, chat_id: chatId, kind };
    if (threadId) body.thread_id = threadId;
    return call("POST", `${this.base}/media`, body);
  }
}
