/**
 * @module The banner's other languages. English is inline in `/consent.js`; these are served as small JSON at
 * `/consent/i18n/:lang.json` and fetched by the script only when `data-lang` (on its script tag or on `<html>`) or
 * `navigator.language` asks for one. The policy's own wording (banner text, category descriptions) is written in
 * English, so a translation carries a plain description of each cookie category instead.
 *
 * @example
 * const fr = bannerTranslation(kernel.policyFile.file, 'fr') // { lang: 'fr', t: { accept: 'Tout accepter', … }, cats: { … } }
 */
import type { PolicyFile } from '../policy/policy-schema.ts';

export const BANNER_LANGUAGES = ['fr', 'de'] as const;
export type BannerLanguage = (typeof BANNER_LANGUAGES)[number];

type Texts = {
  title: string;
  text: string;
  table: string;
  gpc: string;
  choose: string;
  accept: string;
  reject: string;
  prefs: string;
  essential: string;
  save: string;
  on: string;
};

const TEXTS: Record<BannerLanguage, Texts> = {
  fr: {
    title: 'Cookies sur {name}',
    text: 'Seuls les cookies nécessaires sont déposés tant que vous n’avez pas choisi. Refuser est aussi simple qu’accepter, et vous pouvez changer d’avis à tout moment.',
    table: 'Voir tous les cookies que nous utilisons',
    gpc: 'Votre navigateur a envoyé un signal Global Privacy Control : les cookies publicitaires restent désactivés, sauf si vous les activez.',
    choose: 'Choisissez les cookies à autoriser',
    accept: 'Tout accepter',
    reject: 'Tout refuser',
    prefs: 'Choisir les cookies',
    essential: 'Bloquer tout sauf l’essentiel',
    save: 'Enregistrer mes choix',
    on: '(toujours actifs)',
  },
  de: {
    title: 'Cookies bei {name}',
    text: 'Bis Sie eine Wahl treffen, werden nur notwendige Cookies gesetzt. Ablehnen ist so einfach wie Akzeptieren, und Sie können Ihre Wahl jederzeit ändern.',
    table: 'Alle Cookies ansehen, die wir verwenden',
    gpc: 'Ihr Browser hat ein Global-Privacy-Control-Signal gesendet: Werbe-Cookies bleiben aus, solange Sie sie nicht einschalten.',
    choose: 'Wählen Sie, welche Cookies Sie zulassen',
    accept: 'Alle akzeptieren',
    reject: 'Alle ablehnen',
    prefs: 'Cookies auswählen',
    essential: 'Alles außer Notwendigem blockieren',
    save: 'Meine Auswahl speichern',
    on: '(immer aktiv)',
  },
};

const CATEGORIES: Record<BannerLanguage, Record<string, { name: string; d: string }>> = {
  fr: {
    necessary: { name: 'Strictement nécessaires', d: 'Indispensables au fonctionnement du site.' },
    authentication: { name: 'Authentification', d: 'Vous reconnaître lorsque vous vous connectez.' },
    status: { name: 'État de connexion', d: 'Savoir si vous êtes connecté.' },
    personalisation: { name: 'Personnalisation', d: 'Mémoriser vos préférences pour adapter le site.' },
    security: { name: 'Sécurité', d: 'Protéger le site et votre compte.' },
    analytics: { name: 'Mesure d’audience', d: 'Compter les visites et voir comment les pages sont utilisées.' },
    advertising: { name: 'Publicité', d: 'Afficher des publicités adaptées à vos centres d’intérêt.' },
    consent: { name: 'Vos choix de cookies', d: 'Mémoriser vos choix de cookies.' },
  },
  de: {
    necessary: { name: 'Unbedingt erforderlich', d: 'Für den Betrieb der Website unverzichtbar.' },
    authentication: { name: 'Anmeldung', d: 'Sie bei der Anmeldung wiedererkennen.' },
    status: { name: 'Anmeldestatus', d: 'Erkennen, ob Sie angemeldet sind.' },
    personalisation: { name: 'Personalisierung', d: 'Ihre Einstellungen speichern, um die Website anzupassen.' },
    security: { name: 'Sicherheit', d: 'Die Website und Ihr Konto schützen.' },
    analytics: { name: 'Statistik', d: 'Besuche zählen und sehen, wie die Seiten genutzt werden.' },
    advertising: { name: 'Werbung', d: 'Werbung zeigen, die zu Ihren Interessen passt.' },
    consent: { name: 'Ihre Cookie-Auswahl', d: 'Ihre Cookie-Auswahl speichern.' },
  },
};

export const isBannerLanguage = (lang: string): lang is BannerLanguage =>
  (BANNER_LANGUAGES as readonly string[]).includes(lang);

/** One language's texts, for the categories this policy has. */
export const bannerTranslation = (file: PolicyFile, lang: BannerLanguage) => {
  const texts = TEXTS[lang];

  return {
    lang,
    t: { ...texts, title: texts.title.replace('{name}', file.controller.tradingName ?? file.controller.name) },
    cats: Object.fromEntries(
      file.cookies.categories.flatMap((c) => {
        const cat = CATEGORIES[lang][c.id];
        return cat ? [[c.id, cat]] : [];
      }),
    ),
  };
};
