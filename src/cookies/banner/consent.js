/*! Custodian cookie banner. Served as /consent.js with the policy's categories prepended as C. No dependencies. */
((C, d, w) => {
  const KEY = C.cookie;
  const n = w.navigator;
  const gpc = n.globalPrivacyControl === true;
  // English is inline; another language the page or the browser asks for is fetched once, before the banner shows.
  const cs = d.currentScript;
  const lang = (cs?.dataset.lang || d.documentElement.dataset.lang || n.language || 'en').slice(0, 2).toLowerCase();
  const ready = C.langs.includes(lang)
    ? w
        .fetch(`${C.i18n}${lang}.json`, { credentials: 'omit' })
        .then((r) => (r.ok ? r.json() : null))
        .then((x) => {
          if (!x) return;
          Object.assign(C.t, x.t);
          for (const c of C.cats) Object.assign(c, x.cats[c.id]);
          C.lang = lang;
        })
        .catch(() => {})
    : Promise.resolve();
  let prev = null;
  const $ = (s, r) => (r || d).querySelectorAll(s);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const read = () => {
    const m = d.cookie.match(new RegExp(`(?:^|; )${KEY}=([^;]*)`));
    try {
      return m ? JSON.parse(decodeURIComponent(m[1])) : null;
    } catch (_) {
      return null;
    }
  };
  const uuid = () =>
    w.crypto?.randomUUID
      ? w.crypto.randomUUID()
      : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
          (c ^ (w.crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16),
        );
  let state = read();
  if (state && state.v !== C.v) state = null; // a new notice version asks again
  const id = state?.id || uuid();
  const granted = (cat) => {
    const c = C.cats.find((x) => x.id === cat);
    return !!c && (c.req || !!state?.c[cat]);
  };
  const run = () => {
    for (const el of $('script[type="text/plain"][data-category]')) {
      if (!granted(el.dataset.category)) continue;
      const s = d.createElement('script');
      for (const a of el.attributes)
        if (!/^(type|data-category|data-src|data-type)$/.test(a.name)) s.setAttribute(a.name, a.value);
      s.type = el.dataset.type || 'text/javascript';
      if (el.dataset.src) s.src = el.dataset.src;
      el.replaceWith(s);
    }
  };
  const clear = () => {
    const host = w.location.hostname;
    const doms = ['', host, `.${host}`, `.${host.split('.').slice(-2).join('.')}`];
    for (const c of C.cats) {
      if (granted(c.id)) continue;
      for (const name of C.ck[c.id] || []) {
        for (const dom of doms) d.cookie = `${name}=; Max-Age=0; Path=/${dom ? `; Domain=${dom}` : ''}`;
      }
    }
  };
  const save = (choice, method) => {
    state = { v: C.v, id, c: choice, gpc, at: Date.now() };
    const secure = w.location.protocol === 'https:' ? '; Secure' : '';
    d.cookie = `${KEY}=${encodeURIComponent(JSON.stringify(state))}; Max-Age=${C.days * 86400}; Path=/; SameSite=Lax${secure}`;
    post(choice, method);
    clear();
    run();
    close();
  };
  const post = (choice, method) => {
    const body = JSON.stringify({ consentId: id, noticeVersion: C.v, categories: choice, gpc, method });
    try {
      w.fetch(C.log, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        keepalive: true,
        credentials: 'omit',
      }).catch(() => {});
    } catch (_) {}
  };
  const all = (v) => {
    const o = {};
    for (const c of C.cats) o[c.id] = c.req || v;
    return o;
  };
  let box;
  const close = () => {
    if (!box) return;
    box.remove();
    box = null;
    d.removeEventListener('keydown', keys, true);
    if (prev?.focus) prev.focus();
  };
  const keys = (e) => {
    if (!box) return;
    if (e.key === 'Escape') {
      const p = box.querySelector('.cc-prefs');
      if (!p.hidden) {
        toggle(false);
        e.preventDefault();
      }
      return;
    }
    if (e.key !== 'Tab') return;
    const f = [...$('button,input:not([disabled]),a[href]', box)].filter((x) => x.offsetParent !== null);
    const first = f[0];
    const last = f[f.length - 1];
    if (!box.contains(d.activeElement)) {
      first.focus();
      e.preventDefault();
    } else if (e.shiftKey && d.activeElement === first) {
      last.focus();
      e.preventDefault();
    } else if (!e.shiftKey && d.activeElement === last) {
      first.focus();
      e.preventDefault();
    }
  };
  const toggle = (open) => {
    box.querySelector('.cc-prefs').hidden = !open;
    const b = box.querySelector('[data-a=prefs]');
    b.setAttribute('aria-expanded', String(open));
    (open ? box.querySelector('.cc-prefs input:not([disabled]), .cc-prefs button') : b).focus();
  };
  const adOff = (c) => gpc && C.gpcOff.includes(c) && !(state && state.c[c] !== undefined);
  const show = () => {
    if (box) return;
    prev = d.activeElement;
    box = d.createElement('div');
    box.className = 'cc';
    box.setAttribute('role', 'dialog');
    box.setAttribute('aria-modal', 'true');
    box.setAttribute('aria-labelledby', 'cc-t');
    box.setAttribute('aria-describedby', 'cc-d');
    if (C.lang) box.lang = C.lang;
    const cats = C.cats
      .map(
        (c) =>
          `<div class="cc-cat"><input type="checkbox" id="cc-${c.id}" data-c="${c.id}"${c.req || (granted(c.id) && !adOff(c.id)) ? ' checked' : ''}${c.req ? ' disabled' : ''}><label for="cc-${c.id}"><strong>${esc(c.name)}</strong>${c.req ? ` ${esc(C.t.on)}` : ''} ${esc(c.d)}</label></div>`,
      )
      .join('');
    box.innerHTML = `<h2 id="cc-t">${esc(C.t.title)}</h2><p id="cc-d">${esc(C.t.text)} <a href="${C.table}">${esc(C.t.table)}</a></p>${
      gpc ? `<p class="cc-gpc">${esc(C.t.gpc)}</p>` : ''
    }<div class="cc-prefs" hidden><fieldset><legend>${esc(C.t.choose)}</legend>${cats}</fieldset><div class="cc-btns"><button type="button" class="cc-btn" data-a="essential">${esc(C.t.essential)}</button><button type="button" class="cc-btn" data-a="save">${esc(C.t.save)}</button></div></div><div class="cc-btns"><button type="button" class="cc-btn" data-a="reject">${esc(C.t.reject)}</button><button type="button" class="cc-btn" data-a="accept">${esc(C.t.accept)}</button><button type="button" class="cc-link" data-a="prefs" aria-expanded="false">${esc(C.t.prefs)}</button></div>`;
    box.addEventListener('click', (e) => {
      const a = e.target.closest('[data-a]');
      if (!a) return;
      const act = a.dataset.a;
      if (act === 'accept') save(all(true), 'accept_all');
      else if (act === 'reject' || act === 'essential') save(all(false), 'reject_all');
      else if (act === 'prefs') toggle(box.querySelector('.cc-prefs').hidden);
      else if (act === 'save') {
        const o = {};
        for (const i of $('input[data-c]', box)) o[i.dataset.c] = i.checked;
        save(o, 'custom');
      }
    });
    d.body.appendChild(box);
    d.addEventListener('keydown', keys, true);
    box.querySelector('[data-a=reject]').focus();
  };
  const start = () => {
    if (!state && gpc) {
      // GPC with no choice yet: advertising and marketing stay refused and the refusal is logged; the banner
      // still asks about the rest, and an explicit choice there overrides.
      const o = {};
      for (const c of C.cats) if (C.gpcOff.includes(c.id)) o[c.id] = false;
      // Once per browser session; storage a browser refuses must not stop the banner.
      let logged = false;
      try {
        logged = sessionStorage.getItem('cc-gpc') === '1';
        sessionStorage.setItem('cc-gpc', '1');
      } catch (_) {}
      if (!logged && Object.keys(o).length > 0) post(o, 'gpc');
    }
    clear();
    run();
    if (!state) ready.then(show);
    d.addEventListener('click', (e) => {
      if (e.target.closest('[data-cc=open]')) {
        e.preventDefault();
        ready.then(api.open);
      }
    });
  };
  const api = {
    open: () => {
      show();
      toggle(true);
    },
    get: () => state,
    granted,
  };
  w.CustodianConsent = api;
  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', start);
  else start();
})(C, document, window);
