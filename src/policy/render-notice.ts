/**
 * @module The public privacy notice, rendered on the server from the policy file as one accessible, printable HTML
 * page (no script). Past versions render the same way, with what changed since the version before.
 *
 * @example
 * reply.type('text/html').send(renderNotice(kernel.policyFile.file, { versions }))
 */
import {
  describeBasis,
  describeDuration,
  describeMechanism,
  describeRetention,
  nameOf,
  retentionFor,
} from './describe.ts';
import { expandCurie } from './dpv.ts';
import type { PolicyFile } from './policy-schema.ts';

export type NoticeOptions = {
  /** Published versions, newest first, for the "earlier versions" links. */
  versions?: readonly { version: number; effectiveDate: string }[];
  /** Set when rendering a past version: the diff from the version before it. */
  diff?: { from: number; changes: readonly PolicyChange[] } | null;
  archived?: boolean;
};

export type PolicyChange = {
  section: string;
  kind: 'added' | 'removed' | 'changed';
  item: string;
  fields?: readonly string[];
};

/** Commitment ids (e.g. "(CC-8)") trace the file to the reference notices; they are not for the public page. */
const COMMITMENT_REFS = /\s?\((?:AS|CC|CV|CP|VO)-\d+(?:,\s*(?:AS|CC|CV|CP|VO)-\d+)*\)/g;

const esc = (value: unknown) =>
  String(value ?? '')
    .replace(COMMITMENT_REFS, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const list = (items: readonly string[]) =>
  items.length ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '<p>None.</p>';

const RIGHT_NAMES: Record<string, string> = {
  informed: 'To be informed',
  access: 'Access',
  rectification: 'Rectification',
  erasure: 'Erasure',
  restriction: 'Restriction',
  objection: 'Objection',
  object_direct_marketing: 'Objection to direct marketing',
  portability: 'Portability',
  automated_decisions: 'Automated decisions',
  withdraw_consent: 'Withdrawing consent',
  complain: 'Complaint',
};

const SOURCE_NAMES: Record<string, string> = {
  data_subject: 'You',
  client: 'Our client (the business you deal with)',
  colleague: 'A colleague in your organisation',
  partner: 'Our partners',
  public_source: 'Public sources',
  automatic: 'Collected automatically',
  third_party_caller: 'The person who calls or writes',
  credit_reference_agency: 'Credit reference agencies',
};

const KIND_NAMES: Record<string, string> = {
  group_company: 'Group company',
  processor: 'Processor (acts on our instructions)',
  controller: 'Independent controller',
  public_authority: 'Public authority',
  category: 'Category of recipient',
};

const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #4d5566; --line: #d8dce4; --band: #f3f5f8; --accent: #1f4e8c; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
a { color: var(--accent); }
a:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
header.top { background: var(--accent); color: #fff; padding: 1.5rem 1rem; }
header.top .wrap { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 1rem; align-items: baseline; }
header.top h1 { margin: 0; font-size: 1.75rem; }
header.top p { margin: .25rem 0 0; opacity: .92; }
header.top a { color: #fff; }
.wrap { max-width: 64rem; margin: 0 auto; padding: 0 1rem; }
nav.toc { background: var(--band); border-bottom: 1px solid var(--line); padding: .75rem 0; font-size: .95rem; }
nav.toc ol { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: 0; padding: 0; list-style: none; }
main { padding: 1rem 0 3rem; }
section { margin-top: 2rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid var(--line); padding-bottom: .3rem; }
h3 { font-size: 1.05rem; margin-bottom: .25rem; }
.lead { font-size: 1.1rem; }
.note { color: var(--muted); font-size: .92rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; background: #fff; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
table { width: 100%; border-collapse: collapse; font-size: .94rem; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid var(--line); padding: .45rem .6rem; vertical-align: top; text-align: left; }
thead th { background: var(--band); }
td ul { margin: 0; padding-left: 1.1rem; }
.tag { display: inline-block; font-size: .78rem; padding: 0 .4rem; border-radius: 4px; background: var(--band); border: 1px solid var(--line); }
.basis { display: inline-block; font-size: .8rem; line-height: 1.4; background: #e8eef8; color: #1f3b66; border-radius: 4px; padding: 0 .4rem; white-space: nowrap; }
th .note, th .tag { font-weight: 400; }
tbody th[scope="row"] { font-weight: 600; background: #fbfcfd; }
td li + li { margin-top: .3rem; }
table.wide td:nth-child(3) { width: 34%; } table.wide td:nth-child(4) { width: 26%; } table.wide th[scope="row"] { width: 24%; }
.diff ins, .diff del { text-decoration: none; padding: 0 .3rem; border-radius: 3px; }
.diff ins { background: #e3f4e6; } .diff del { background: #fbe4e4; }
.archived { background: #fff6d6; border: 1px solid #e8d48a; padding: .75rem 1rem; border-radius: 6px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; } dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
.cta { margin: 1rem 0; } .cta a { display: inline-block; background: var(--accent); color: #fff; font-weight: 600; text-decoration: none; padding: .55rem 1.1rem; border-radius: 6px; }
@media print {
  header.top { background: none; color: #000; border-bottom: 2px solid #000; } header.top a { color: #000; }
  nav.toc, .skip { display: none; } a { color: #000; text-decoration: none; }
  table { page-break-inside: auto; } tr { page-break-inside: avoid; } section { page-break-inside: avoid-page; }
}`;

export const renderNotice = (p: PolicyFile, options: NoticeOptions = {}): string => {
  const c = p.controller;
  const contact = c.privacyContact;
  const purposesOf = (categoryId: string) => p.purposes.filter((x) => x.categories.includes(categoryId));
  const sections: [string, string, string][] = [];
  const add = (id: string, title: string, body: string) => sections.push([id, title, body]);

  add(
    'who',
    'Who we are',
    `<div class="grid">${c.legalEntities
      .map(
        (e) =>
          `<div class="card"><h3>${esc(e.name)}</h3><p>${esc(e.role ?? '')}</p><p class="note">${esc(e.registration ?? '')}${e.address ? `<br>${esc(e.address)}` : ''}</p></div>`,
      )
      .join('')}</div>
     ${c.groupCompanies.length ? `<p>Our group: ${c.groupCompanies.map((g) => `${esc(g.name)} (${esc(g.country)})`).join(', ')}.</p>` : ''}
     <h3>${contact.isDpo ? 'Our Data Protection Officer' : 'Our privacy contact'}</h3>
     <p>${[contact.name, contact.role].filter(Boolean).map(esc).join(', ')}<br>
     ${contact.email ? `E-mail: <a href="mailto:${esc(contact.email)}">${esc(contact.email)}</a><br>` : ''}
     ${contact.phone ? `Phone: ${esc(contact.phone)}<br>` : ''}${contact.address ? `Post: ${esc(contact.address)}` : ''}</p>
     ${c.representatives.length ? `<h3>Representatives</h3>${list(c.representatives.map((r) => `${r.region === 'EU' ? 'In the EU' : 'In the UK'}: ${esc(r.name)}${r.address ? `, ${esc(r.address)}` : ''}${r.email ? ` (<a href="mailto:${esc(r.email)}">${esc(r.email)}</a>)` : ''}`))}` : ''}`,
  );

  add(
    'roles',
    'Our role',
    `<p>${esc(p.roles.controller.description)}</p>${
      p.roles.processor
        ? `<h3>As a processor for our clients</h3><p>${esc(p.roles.processor.description)}</p>${list(p.roles.processor.activities.map(esc))}<p>${esc(p.roles.processor.requests)}</p>`
        : ''
    }`,
  );

  add(
    'data',
    'What we hold, why, on what basis and for how long',
    `<table class="wide">
      <caption>Each category of personal data, what we use it for, the legal basis and how long we keep it</caption>
      <thead><tr><th scope="col">Personal data</th><th scope="col">Where it comes from</th><th scope="col">What we use it for, and the legal basis</th><th scope="col">How long we keep it</th></tr></thead>
      <tbody>${p.categories
        .map(
          (cat) => `<tr>
        <th scope="row">${esc(cat.name)}${cat.role === 'processor' ? ' <span class="tag">for our clients</span>' : ''}${cat.specialCategory ? ' <span class="tag">special category</span>' : ''}<br><span class="note">${esc(cat.description)}</span></th>
        <td>${esc(cat.sources.map((s) => SOURCE_NAMES[s] ?? s).join('; '))}${cat.sourceNote ? `<br><span class="note">${esc(cat.sourceNote)}</span>` : ''}${cat.required ? '<br><span class="note">Required: without it we cannot make or run the contract.</span>' : ''}</td>
        <td><ul>${purposesOf(cat.id)
          .map((x) => `<li>${esc(x.name)}<br><span class="basis">${esc(describeBasis(x))}</span></li>`)
          .join('')}</ul></td>
        <td>${retentionFor(p, cat.id)
          .map((r) => `${esc(describeRetention(r))}${r.note ? ` <span class="note">${esc(r.note)}</span>` : ''}`)
          .join('<br>')}</td></tr>`,
        )
        .join('')}</tbody></table>
     <table>
      <caption>Our purposes and the legal basis for each</caption>
      <thead><tr><th scope="col">Purpose</th><th scope="col">Personal data used</th><th scope="col">Legal basis</th></tr></thead>
      <tbody>${p.purposes
        .map(
          (
            x,
          ) => `<tr><th scope="row">${esc(x.name)}${x.directMarketing ? ' <span class="tag">direct marketing</span>' : ''}${x.occasional ? ' <span class="tag">only where necessary</span>' : ''}<br><span class="note">${esc(x.description)}</span></th>
        <td>${esc(x.categories.map((id) => nameOf(p.categories, id)).join(', '))}</td>
        <td><span class="basis">${esc(describeBasis(x))}</span>${x.legitimateInterest ? `<br>Our interest: ${esc(x.legitimateInterest)}` : ''}</td></tr>`,
        )
        .join('')}</tbody></table>`,
  );

  add(
    'recipients',
    'Who receives it',
    `<table><caption>Recipients of personal data</caption>
      <thead><tr><th scope="col">Recipient</th><th scope="col">Where</th><th scope="col">What data, and why</th><th scope="col">Safeguard</th></tr></thead>
      <tbody>${p.recipients
        .map(
          (
            r,
          ) => `<tr><th scope="row">${esc(r.name)}<br><span class="note">${esc(KIND_NAMES[r.kind] ?? r.kind)}. ${esc(r.description)}${r.onlyWhen ? ` Only when: ${esc(r.onlyWhen)}` : ''}</span></th>
        <td>${esc(r.country.join(', '))}</td>
        <td>${esc(r.categories.map((id) => nameOf(p.categories, id)).join(', '))}<br><span class="note">For: ${esc(r.purposes.map((id) => nameOf(p.purposes, id)).join('; '))}</span></td>
        <td>${r.transfer ? `${esc(describeMechanism(r.transfer.mechanism))}${r.transfer.note ? `<br><span class="note">${esc(r.transfer.note)}</span>` : ''}` : r.processingContract ? 'Processing contract (Art. 28)' : '—'}</td></tr>`,
        )
        .join('')}</tbody></table>`,
  );

  const transfers = p.recipients.filter((r) => r.transfer);
  add(
    'transfers',
    'Transfers outside the UK and EEA',
    transfers.length
      ? `<p>These recipients are outside the UK and the European Economic Area, or reach data from there. Each transfer rests on the safeguard named.</p>${list(
          transfers.map(
            (r) =>
              `<strong>${esc(r.name)}</strong> (${esc(r.country.join(', '))}): ${esc(describeMechanism(r.transfer?.mechanism))}`,
          ),
        )}<p class="note">Ask us for a copy of the safeguard at the contact above.</p>`
      : '<p>We do not transfer personal data outside the UK and the European Economic Area.</p>',
  );

  const r = p.rights;
  add(
    'rights',
    'Your rights and how to use them',
    `<dl class="facts">${r.list.map((x) => `<dt>${esc(RIGHT_NAMES[x.right] ?? x.right)}</dt><dd>${esc(x.description)}</dd>`).join('')}</dl>
     <p class="cta"><a href="/privacy/requests">Exercise your rights</a></p>
     <p>Online: choose what you want, confirm your e-mail address with a code we send you, and follow your request on its own page.</p>
     <h3>How to ask</h3>${list(
       [
         r.howToExercise.email
           ? `E-mail <a href="mailto:${esc(r.howToExercise.email)}">${esc(r.howToExercise.email)}</a>`
           : '',
         r.howToExercise.web ? esc(r.howToExercise.web) : '',
         r.howToExercise.phone ? `Phone ${esc(r.howToExercise.phone)}` : '',
         r.howToExercise.post ? `Write to ${esc(r.howToExercise.post)}` : '',
       ].filter(Boolean),
     )}
     <p>We answer within ${esc(describeDuration(r.responsePeriod))}; for complex or many requests we may extend that by up to ${esc(describeDuration(r.extension))}, and we will tell you why within the first period.</p>
     <p><strong>Fees:</strong> the first copy of your data is free. ${esc(r.fees.furtherCopies)} ${esc(r.fees.manifestlyUnfounded)}</p>
     <p><strong>Checking it is you:</strong> ${esc(r.identityVerification.join(' '))}</p>
     ${r.processorRequests ? `<p>${esc(r.processorRequests)}</p>` : ''}`,
  );

  add(
    'marketing',
    'Marketing and the messages you cannot refuse',
    `${
      p.marketing.channels.length
        ? `<table><caption>Marketing channels</caption><thead><tr><th scope="col">Channel</th><th scope="col">Rule</th></tr></thead><tbody>${p.marketing.channels
            .map(
              (ch) =>
                `<tr><th scope="row">${esc(ch.channel === 'sms' ? 'SMS' : ch.channel.charAt(0).toUpperCase() + ch.channel.slice(1))}</th><td>${esc(ch.rules)}</td></tr>`,
            )
            .join('')}</tbody></table>`
        : '<p>We do not send marketing.</p>'
    }
     <p><strong>Stopping marketing:</strong> ${esc(p.marketing.optOut)}${p.marketing.neverSold ? ' We never sell mailing lists.' : ''}</p>
     <h3>Service messages</h3><p>These are part of the service and are sent even if you opted out of marketing:</p>
     ${list(p.marketing.essentialMessages.map((m) => `<strong>${esc(m.name)}</strong>: ${esc(m.description)}`))}`,
  );

  add(
    'cookies',
    'Cookies',
    `<p>${esc(p.cookies.banner)}</p>
     <table><caption>Cookie categories</caption><thead><tr><th scope="col">Category</th><th scope="col">What for</th><th scope="col">Needs your consent</th></tr></thead><tbody>${p.cookies.categories
       .map(
         (x) =>
           `<tr><th scope="row">${esc(x.id)}</th><td>${esc(x.description)}</td><td>${x.consentRequired ? 'Yes' : 'No (strictly necessary or exempt)'}</td></tr>`,
       )
       .join('')}</tbody></table>
     <table><caption>Cookies we use</caption><thead><tr><th scope="col">Name</th><th scope="col">Category</th><th scope="col">Purpose</th><th scope="col">Provider</th><th scope="col">Expires</th></tr></thead><tbody>${p.cookies.list
       .map(
         (x) =>
           `<tr><th scope="row"><code>${esc(x.name)}</code></th><td>${esc(x.category)}</td><td>${esc(x.purpose)}</td><td>${esc(x.provider)}</td><td>${esc(x.expiry)}</td></tr>`,
       )
       .join('')}</tbody></table>`,
  );

  add('security', 'How we protect your data', list(p.security.map(esc)));

  const sa = c.supervisoryAuthority;
  add(
    'complaints',
    'Complaints and contacts',
    `<p>${esc(sa.howToComplain)}</p>
     <div class="grid"><div class="card"><h3>${esc(sa.name)}</h3><p><a href="${esc(sa.web)}">${esc(sa.web)}</a>${sa.phone ? `<br>Phone: ${esc(sa.phone)}` : ''}${sa.address ? `<br>${esc(sa.address)}` : ''}</p></div>
     ${c.otherAuthorities.map((a) => `<div class="card"><h3>${esc(a.name)}</h3><p><a href="${esc(a.web)}">${esc(a.web)}</a></p></div>`).join('')}</div>`,
  );

  const versions = options.versions ?? [];
  add(
    'changes',
    'Changes to this notice',
    `<table><caption>Versions</caption><thead><tr><th scope="col">Version</th><th scope="col">Effective</th><th scope="col">What changed</th></tr></thead><tbody>${[
      ...p.changes,
    ]
      .reverse()
      .map((ch) => {
        const published = versions.some((v) => v.version === ch.version);
        const label = published
          ? `<a href="/privacy/v/${ch.version}">Version ${ch.version}</a>`
          : `Version ${ch.version}`;

        return `<tr><th scope="row">${label}${ch.material ? ' <span class="tag">material</span>' : ''}</th><td>${esc(ch.date)}</td><td>${esc(ch.summary)}${ch.newPurposes.length ? `<br>New purposes (we ask for your agreement first): ${esc(ch.newPurposes.map((id) => nameOf(p.purposes, id)).join(', '))}` : ''}</td></tr>`;
      })
      .join('')}</tbody></table>
     <p class="note">When a change is material we e-mail every active account holder, including people who opted out of marketing. A new use of your data needs your agreement first.</p>`,
  );

  const diff = options.diff
    ? `<section id="diff" class="diff" aria-labelledby="diff-h"><h2 id="diff-h">What changed since version ${options.diff.from}</h2>${
        options.diff.changes.length
          ? list(
              options.diff.changes.map((ch) =>
                ch.kind === 'added'
                  ? `<ins>Added</ins> ${esc(ch.section)}: ${esc(ch.item)}`
                  : ch.kind === 'removed'
                    ? `<del>Removed</del> ${esc(ch.section)}: ${esc(ch.item)}`
                    : `Changed ${esc(ch.section)}: ${esc(ch.item)}${ch.fields?.length ? ` <span class="note">(${esc(ch.fields.join(', '))})</span>` : ''}`,
              ),
            )
          : '<p>No change to the content.</p>'
      }</section>`
    : '';

  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)} (version ${p.version})</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#content">Skip to the notice</a>
<header class="top"><div class="wrap">
  <div><h1>${esc(p.title)}</h1><p>${esc(c.name)} · Version ${p.version}, effective ${esc(p.effectiveDate)}</p></div>
  <p><a href="/privacy/requests">Exercise your rights</a> · <a href="/privacy">Current version</a></p>
</div></header>
<nav class="toc" aria-label="Contents"><div class="wrap"><ol>${sections.map(([id, title]) => `<li><a href="#${id}">${esc(title)}</a></li>`).join('')}</ol></div></nav>
<main id="content" class="wrap">
${options.archived ? `<p class="archived" role="note">This is an earlier version of the notice, kept for reference. <a href="/privacy">Read the current version</a>.</p>` : ''}
<p class="lead">${esc(p.summary)}</p>
${diff}
${sections.map(([id, title, body]) => `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${esc(title)}</h2>${body}</section>`).join('\n')}
<p class="note">Vocabulary: W3C Data Privacy Vocabulary 2.3 (legal bases ${esc(expandCurie('eu-gdpr:'))}…).</p>
</main>
</body>
</html>`;
};
