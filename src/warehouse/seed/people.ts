import type { Random } from './random';

const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger', 'Radia', 'Tim', 'Hedy', 'John', 'Sophie'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Dijkstra', 'Perlman', 'Berners', 'Lamarr', 'Backus', 'Wilson'];
const DOMAINS = ['example.com', 'mail.test', 'acme.test', 'corp.example', 'shop.test'];
const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne'];
export const PLANS = ['free', 'starter', 'pro', 'enterprise'] as const;

/** One person behind the exports; each source sees only part of them, in its own spelling. */
export interface Person {
  index: number;
  email: string;
  first: string;
  last: string;
  company: string;
  plan: (typeof PLANS)[number];
  employees: number;
  shopId: string;
  contactId: string;
  /** 0 (gone quiet) to 1 (daily user): drives how many events, and how recent. */
  engagement: number;
  /** Days before the export's as-of date of the person's last activity. */
  quietDays: number;
  inShopify: boolean;
  inSalesforce: boolean;
  inFirebase: boolean;
  inBraze: boolean;
  opensTickets: boolean;
}

export function makePerson(index: number, random: Random): Person {
  const first = random.pick(FIRST);
  const last = random.pick(LAST);
  const engagement = random.next();
  // A fifth of the people have gone quiet for weeks: they are the ones whose health should drop.
  const quietDays = engagement < 0.2 ? random.int(20, 80) : random.int(0, 6);
  return {
    index,
    email: `${first}.${last}.${index}@${random.pick(DOMAINS)}`.toLowerCase(),
    first,
    last,
    company: `${random.pick(COMPANIES)} ${random.int(1, 99)}`,
    plan: random.pick(PLANS),
    employees: random.pick([4, 25, 120, 600, 4000]) + random.int(0, 3),
    shopId: `${7_100_000 + index}`,
    contactId: `003${String(index).padStart(12, '0')}`,
    engagement,
    quietDays,
    inShopify: random.chance(0.85),
    inSalesforce: random.chance(0.65),
    inFirebase: random.chance(0.7),
    inBraze: random.chance(0.9),
    opensTickets: random.chance(0.3) || engagement < 0.2,
  };
}

/** The same address as a source might hold it: other case, stray spaces. */
export function messyEmail(email: string, random: Random): string {
  const roll = random.next();
  if (roll < 0.15) return email.toUpperCase();
  if (roll < 0.3) return ` ${email.replace(/^./, (c) => c.toUpperCase())} `;
  return email;
}
