// Mail domains anyone can get an address at: no organization may claim one (its "verified" members
// would be strangers). A fixed list, exact names plus whole families (gmx.*, yandex.*); a subdomain
// of a listed name is refused too. Checked on the normalized (ASCII, punycode) name.

const PUBLIC_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  "gmail.com",
  "googlemail.com",
  "outlook.com",
  "hotmail.com",
  "hotmail.co.uk",
  "live.com",
  "msn.com",
  "passport.com",
  "yahoo.com",
  "yahoo.co.uk",
  "yahoo.co.jp",
  "ymail.com",
  "rocketmail.com",
  "icloud.com",
  "me.com",
  "mac.com",
  "aol.com",
  "aim.com",
  "proton.me",
  "protonmail.com",
  "protonmail.ch",
  "pm.me",
  "tutanota.com",
  "tuta.io",
  "mail.com",
  "email.com",
  "zoho.com",
  "zohomail.com",
  "fastmail.com",
  "hey.com",
  "mail.ru",
  "inbox.ru",
  "list.ru",
  "bk.ru",
  "rambler.ru",
  "ya.ru",
  "qq.com",
  "foxmail.com",
  "163.com",
  "126.com",
  "yeah.net",
  "sina.com",
  "naver.com",
  "daum.net",
  "web.de",
  "t-online.de",
  "freenet.de",
  "orange.fr",
  "wanadoo.fr",
  "laposte.net",
  "libero.it",
  "virgilio.it",
  "seznam.cz",
  "wp.pl",
  "o2.pl",
  "interia.pl",
  "rediffmail.com",
  "comcast.net",
  "verizon.net",
  "att.net",
  "sbcglobal.net",
  "mailinator.com",
]);

/** Families registered under many suffixes (gmx.de, gmx.net, yandex.ru, yandex.com …): the first label. */
const PUBLIC_MAIL_FAMILIES: ReadonlySet<string> = new Set(["gmx", "yandex", "outlook", "hotmail", "yahoo", "live"]);

/** Whether `domain` (normalized) is, or lies under, a public mail domain. */
export function isPublicMailDomain(domain: string): boolean {
  const labels = domain.split(".");
  for (let start = 0; start < labels.length - 1; start += 1) {
    const suffix = labels.slice(start).join(".");
    if (PUBLIC_MAIL_DOMAINS.has(suffix)) return true;
  }
  // gmx.de, gmx.co.uk, mail.yandex.com.tr: a family's label followed only by a suffix of short labels.
  return labels.some(
    (label, index) =>
      PUBLIC_MAIL_FAMILIES.has(label) &&
      index < labels.length - 1 &&
      labels.slice(index + 1).every((tail) => tail.length <= 3),
  );
}
