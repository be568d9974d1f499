/**
 * @module The commitment lines of the five reference notices (AS-1 … VO-16): what each notice promises. Tests
 * that prove a line name its id in their title; `npm run conformance` reports them per notice.
 */

export type Commitment = { id: string; text: string };

export const COMMITMENTS: readonly {
  notice: string;
  prefix: string;
  policyFile: string;
  lines: readonly Commitment[];
}[] = [
  {
    notice: 'answering-service',
    prefix: 'AS',
    policyFile: 'policies/answering-service.yaml',
    lines: [
      {
        id: 'AS-1',
        text: "Phone messages taken and post received on a client's behalf are recorded in the app; the client owns them.",
      },
      {
        id: 'AS-2',
        text: 'The client switches access on or off for each colleague, separately for phone messages and for mail.',
      },
      { id: 'AS-3', text: 'The client exports all phone messages and mail transactions as an Excel file at any time.' },
      {
        id: 'AS-4',
        text: '"Delete all data": the client deletes all its phone-message and mail data from settings at any time (for example after loading test data in a free trial), and before cancelling.',
      },
      { id: 'AS-5', text: 'Free trial, then subscription; cancelling the account ends service e-mails.' },
      {
        id: 'AS-6',
        text: 'Personal data comes from sign-up, newsletter sign-up, surveys, competitions, the profile and support enquiries; the source of each item is kept.',
      },
      {
        id: 'AS-7',
        text: 'Usage is monitored: login dates, data volumes, IP address, page visits, e-mail clicks, referrers.',
      },
      { id: 'AS-8', text: 'Communications the user asked for may be tailored from usage (features not yet tried).' },
      {
        id: 'AS-9',
        text: 'Message and mail data reach a third party only when the client authorises it in the app, or as the notice lists (group companies, business sale, service partners, fraud prevention).',
      },
      {
        id: 'AS-10',
        text: 'Insights are published only from anonymous aggregates across accounts: no client or business can ever be identified.',
      },
      {
        id: 'AS-11',
        text: 'Marketing by e-mail, fax, post, SMS, social or phone stops on request; every marketing e-mail carries an unsubscribe link; essential service e-mails (app notifications, billing, subscription) continue while the account exists.',
      },
      { id: 'AS-12', text: 'Website tracking cookies follow a cookie policy the visitor can act on.' },
      { id: 'AS-13', text: 'Transfers outside the UK/EEA are disclosed with their safeguard.' },
      { id: 'AS-14', text: 'Disclosures to law enforcement are possible, and recorded.' },
      { id: 'AS-15', text: 'No card numbers are stored.' },
      { id: 'AS-16', text: 'Data goes to third parties only over secure connections; passwords stay confidential.' },
      {
        id: 'AS-17',
        text: 'A person can ask for a copy of their personal data (today: first copy free, a reasonable fee only for further copies or manifestly excessive requests).',
      },
      { id: 'AS-18', text: 'A person can have incorrect data corrected.' },
      { id: 'AS-19', text: 'Deleted data does not linger: residual copies and backups are put beyond use.' },
      { id: 'AS-20', text: 'Notice changes are published; substantial changes are e-mailed.' },
      { id: 'AS-21', text: 'Data is backed up regularly.' },
    ],
  },
  {
    notice: 'contact-centre-saas',
    prefix: 'CC',
    policyFile: 'policies/contact-centre-saas.yaml',
    lines: [
      {
        id: 'CC-1',
        text: "Two roles: controller of its own customers' and website users' data; processor of the data its customers put through the software.",
      },
      {
        id: 'CC-2',
        text: 'Controller data types: usage, contract, account, correspondence and marketing data, each with its purposes and legal basis.',
      },
      {
        id: 'CC-3',
        text: 'Marketing e-mail goes only to customers (soft opt-in) or to people who subscribed; every e-mail has an unsubscribe link; an opt-out by any channel is honoured.',
      },
      { id: 'CC-4', text: 'Further purposes: legal claims, insurance and advice, legal obligations, vital interests.' },
      {
        id: 'CC-5',
        text: "Processor data: contacts' data from calls, texts, e-mail, web chat and social, CRM fields, web-chat IP addresses.",
      },
      {
        id: 'CC-6',
        text: 'Recipients by category: group companies, insurers, professional advisers, service providers, consultants, prospective buyers.',
      },
      { id: 'CC-7', text: 'International transfers, each with its mechanism.' },
      {
        id: 'CC-8',
        text: "Retention: usage data 1 year; contract data 6 years after the contract ends; account data 6 months after the contract ends; correspondence 6 years after the later of its date and the contract's end; marketing data until opt-out, then only the address and preference are kept so no more marketing is sent; longer only for a legal obligation, a legal claim or vital interests; secure destruction at expiry.",
      },
      { id: 'CC-9', text: 'Breaches are notified to the regulator and to people when the law requires.' },
      {
        id: 'CC-10',
        text: 'Rights over controller data: access (confirmation, copy, purposes, categories, recipients; first copy free), rectification (after verifying accuracy), erasure (with its exceptions), restriction (store only), objection to legitimate-interest processing, absolute objection to direct marketing, portability (structured, machine-readable, for contract-based automated processing), complaint to a supervisory authority, withdrawal of consent. Which rights apply depends on the legal basis.',
      },
      { id: 'CC-11', text: 'Requests about processor data are passed to the customer who controls it.' },
      { id: 'CC-12', text: 'A dedicated privacy contact.' },
      {
        id: 'CC-13',
        text: 'A cookie table: categories (authentication, status, personalisation, security, advertising, analysis, cookie consent), named cookies, purpose, expiry.',
      },
      { id: 'CC-14', text: 'The notice is versioned; material changes are notified.' },
      {
        id: 'CC-15',
        text: 'One inbox for calls, texts, web chats, e-mails and social messages, with routing and workflow automation.',
      },
    ],
  },
  {
    notice: 'conferencing-vendor',
    prefix: 'CV',
    policyFile: 'policies/conferencing-vendor.yaml',
    lines: [
      {
        id: 'CV-1',
        text: 'The GDPR principles: lawful and transparent, purpose-limited, minimal, accurate, kept no longer than needed, secure.',
      },
      { id: 'CV-2', text: 'Contact details of the main and other contacts of each customer.' },
      {
        id: 'CV-3',
        text: "Data from the person and from partners; the source of each item and the partner's legal basis are kept.",
      },
      { id: 'CV-4', text: 'Each processing activity has its Article 6 basis.' },
      { id: 'CV-5', text: 'Required fields: without them no contract can be made.' },
      {
        id: 'CV-6',
        text: 'Processors (ticketing, CRM) act only on instructions under a processing contract; a customer portal takes log-file uploads for support tickets.',
      },
      { id: 'CV-7', text: 'Transfers outside the EEA to processors with contractual safeguards.' },
      { id: 'CV-8', text: "Retention: the contract's life plus 7 years after it ends." },
      {
        id: 'CV-9',
        text: 'Rights: to be informed, access (identity verified first, answer within one month), rectification, erasure, restriction, objection, portability, and safeguards on automated decisions.',
      },
      { id: 'CV-10', text: 'Withdrawing consent stops the processing that rested on it.' },
      { id: 'CV-11', text: "Complaints are handled internally, and the regulator's contact is given." },
      { id: 'CV-12', text: 'A named data protection officer.' },
      { id: 'CV-13', text: 'A "block all but essential cookies" choice; third-party embeds only with consent.' },
    ],
  },
  {
    notice: 'cloud-phone',
    prefix: 'CP',
    policyFile: 'policies/cloud-phone.yaml',
    lines: [
      {
        id: 'CP-1',
        text: 'Contact details, date of birth, payment method and bank details at sign-up; enquiries; public sources (electoral register); the source is kept.',
      },
      {
        id: 'CP-2',
        text: 'A caller who phones in is identified (date of birth or phone number) before any account information is disclosed.',
      },
      {
        id: 'CP-3',
        text: "Marketing of own and partners' products by e-mail, phone or SMS only without opt-out and with consent.",
      },
      { id: 'CP-4', text: 'Account administration and fraud detection.' },
      { id: 'CP-5', text: 'Credit checks, where the terms say so.' },
      { id: 'CP-6', text: 'Mailing lists are never sold.' },
      {
        id: 'CP-7',
        text: 'Disclosures to network operators (announced in advance) and to police or tax authorities where the law requires.',
      },
      { id: 'CP-8', text: 'Communications may be monitored and recorded, for quality, compliance and evidence.' },
      { id: 'CP-9', text: "Cookies for traffic analysis; a browser's refusal is respected." },
      { id: 'CP-10', text: 'The notice covers individuals, not companies.' },
    ],
  },
  {
    notice: 'virtual-office',
    prefix: 'VO',
    policyFile: 'policies/virtual-office.yaml',
    lines: [
      { id: 'VO-1', text: 'Registration asks name, phone and e-mail.' },
      { id: 'VO-2', text: 'Orders take name, e-mail and billing address.' },
      { id: 'VO-3', text: 'Profiles built from cookies and logs, to personalise and promote.' },
      { id: 'VO-4', text: 'Session and persistent cookies.' },
      {
        id: 'VO-5',
        text: 'Private communications are not monitored or disclosed except by legal necessity, to defend rights, or in an emergency.',
      },
      {
        id: 'VO-6',
        text: 'Fax numbers, phone numbers and e-mail addresses that users upload are never disclosed to third parties.',
      },
      {
        id: 'VO-7',
        text: 'Special offers can be refused; invoices, statements and service announcements cannot (only by deactivating the account); support replies by e-mail or phone, as the user asks.',
      },
      { id: 'VO-8', text: 'Disclosures under subpoena or court order, recorded.' },
      { id: 'VO-9', text: 'Aggregate demographics shared with partners, never linked to a person.' },
      { id: 'VO-10', text: 'Card payments by a third-party processor with no secondary use.' },
      {
        id: 'VO-11',
        text: 'Before a business transfer, users are told before control of their data changes hands, and may object to any new use.',
      },
      {
        id: 'VO-12',
        text: 'Sensitive data encrypted in transit; only staff who need personal data for their job (billing, customer service) can see it.',
      },
      { id: 'VO-13', text: 'Kept no longer than its purpose needs, unless the law requires.' },
      { id: 'VO-14', text: 'Billing addresses are verified; credit reports for company customers.' },
      { id: 'VO-15', text: 'Users correct, update, delete or deactivate their data.' },
      {
        id: 'VO-16',
        text: "Notice changes are published; a new use of personal data is e-mailed and needs the user's agreement; deactivated users are not contacted and their data is not used in the new way; notice-change e-mails also reach people who opted out of marketing.",
      },
    ],
  },
];
