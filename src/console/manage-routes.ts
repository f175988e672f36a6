import type { Context, Hono } from 'hono';
import type { Config } from '../config';
import { diffJourneys } from '../journey/diff';
import { checkDefinition } from '../journey/manage';
import { validationLimits } from '../journey/validate';
import type { Logger } from '../logger';
import { JourneyChangeError, type JourneyStore } from '../store/journeys';
import type { TemplateChannel } from '../templates/schema';
import type { ArchiveNotice } from '../../workflows/contract';
import { html } from 'hono/html';
import type { BacktestJobs } from './backtests';
import { backtestMissingPage, backtestPage } from './backtest-pages';
import { diffPage, publishPage, versionsPage } from './manage-pages';

export interface ManageDeps {
  config: Config;
  logger: Logger;
  journeys: JourneyStore;
  /** Published templates and their channels: a send step naming another is a warning. */
  templateChannels(): Promise<ReadonlyMap<string, TemplateChannel>>;
  /** Tells the journey's running runs to exit, in the background (both sweeps of src/journey/live-runs.ts). */
  sweepArchived(journeyId: string, notice: ArchiveNotice): void;
  /** Backtests of drafts over the warehouse's last customers, run in the background. */
  backtests: BacktestJobs;
}

export interface ConsoleAccess {
  /** The signed-in user, or undefined (the caller redirects to sign-in). */
  session(c: Context): { actor: string; canManage: boolean } | undefined;
  /** A change's checks (signed in, from this console, the manage scope): the actor, or the refusal to answer with. */
  change(c: Context): { actor: string } | Response;
}

const HEX = /^[0-9a-f]{8,64}$/;

/**
 * The console's pages that change journeys (publish, rollback, archive) and compare versions.
 * Each change is recorded in the journey's history as made by `console: <name>`.
 */
export function registerManageRoutes(app: Hono, deps: ManageDeps, access: ConsoleAccess): void {
  const { config, journeys } = deps;
  const limits = validationLimits(config);
  const stateOf = async (journeyId: string) => (await journeys.states()).find((s) => s.journeyId === journeyId);
  const back = (journeyId: string, notice: string, to = '') => `/console/journeys/${journeyId}${to}?notice=${encodeURIComponent(notice)}`;

  const defaults = { customers: config.backtest.customers, maxCustomers: config.console.backtestMaxCustomers };
  app.get('/publish', (c) => (access.session(c) ? c.html(publishPage({ text: '', defaults })) : c.redirect('/console/login')));

  app.get('/backtests/:id', (c) => {
    if (!access.session(c)) return c.redirect('/console/login');
    const job = deps.backtests.get(c.req.param('id'));
    if (!job) return c.html(backtestMissingPage(config.console.backtestsKept), 404);
    return c.html(backtestPage(job));
  });
  app.post('/publish', async (c) => {
    if (!access.session(c)) return c.redirect('/console/login', 303);
    const form = await c.req.parseBody();
    const text = typeof form.definition === 'string' ? form.definition : '';
    if (!text.trim()) return c.html(publishPage({ text, defaults, problem: 'The definition is empty: paste a journey in YAML or JSON.' }), 422);
    if (limits.maxFileBytes !== undefined && Buffer.byteLength(text) > limits.maxFileBytes) {
      return c.html(publishPage({ text: '', defaults, problem: `The definition is ${Buffer.byteLength(text)} bytes, over WAYMARK_JOURNEY_MAX_BYTES (${limits.maxFileBytes}).` }), 413);
    }
    const checked = await checkDefinition('pasted.yaml', text, limits, journeys, () => deps.templateChannels());
    if (!checked.published) return c.html(publishPage({ text, defaults, issues: checked.issues }), 422);
    const { definition, version } = checked.published;
    const refs = checked.warnings.filter((w) => w.startsWith('journey "'));
    if (form.intent === 'publish') {
      const who = access.change(c);
      if (who instanceof Response) return who;
      const outcome = await journeys.publish(checked.published, `console: ${who.actor}`, `console: ${who.actor}`);
      deps.logger.info({ journeyId: definition.id, version, outcome: outcome.outcome, actor: who.actor }, 'journey published from the console');
      const what = outcome.outcome === 'unchanged' ? `unchanged: ${version.slice(0, 12)} is already current` : outcome.outcome === 'new-journey' ? `published: a new journey, version ${version.slice(0, 12)}` : `published: version ${version.slice(0, 12)} is current${'earlier' in outcome && outcome.earlier ? ' again (published before)' : ''}`;
      return c.redirect(back(definition.id, `${what}. New customers enter it within WAYMARK_CATALOG_REFRESH; customers already in the journey keep their version.${refs.length ? ` Warning: ${refs.join('; ')}` : ''}`), 303);
    }
    if (form.intent === 'backtest') {
      const who = access.change(c);
      if (who instanceof Response) return who;
      const max = config.console.backtestMaxCustomers;
      const customers = Number(typeof form.customers === 'string' && form.customers.trim() ? form.customers : config.backtest.customers);
      if (!Number.isInteger(customers) || customers < 1 || customers > max) {
        return c.html(publishPage({ text, defaults, problem: `Customers to backtest over must be a whole number from 1 to ${max} (WAYMARK_CONSOLE_BACKTEST_MAX_CUSTOMERS); it was "${String(form.customers).slice(0, 40)}".` }), 422);
      }
      const outcome = deps.backtests.start(checked.published, customers, who.actor);
      if ('busy' in outcome) {
        const b = outcome.busy;
        return c.html(publishPage({ text, defaults, problem: html`A backtest is running (${b.draft.definition.id}, started by ${b.actor} at ${b.startedAt.toISOString().slice(11, 19)} UTC): one runs at a time. <a href="/console/backtests/${b.id}">See its progress</a>, then try again.` }), 429);
      }
      deps.logger.info({ journeyId: definition.id, version, customers, actor: who.actor, backtest: outcome.started.id }, 'backtest started from the console');
      return c.redirect(`/console/backtests/${outcome.started.id}`, 303);
    }
    const { current, differences, warnings } = checked;
    return c.html(publishPage({ text, defaults, warnings, checked: { journey: definition, version, ...(current ? { current: { version: current } } : {}), ...(differences ? { differences } : {}) } }));
  });

  app.get('/journeys/:journeyId/versions', async (c) => {
    const who = access.session(c);
    if (!who) return c.redirect('/console/login');
    const state = await stateOf(c.req.param('journeyId'));
    if (!state) return c.text(`no journey "${c.req.param('journeyId')}" is published`, 404);
    return c.html(versionsPage({ state, versions: await journeys.versions(state.journeyId), canManage: who.canManage, notice: c.req.query('notice') }));
  });

  app.get('/journeys/:journeyId/diff', async (c) => {
    if (!access.session(c)) return c.redirect('/console/login');
    const journeyId = c.req.param('journeyId');
    const [from, to] = [c.req.query('from') ?? '', c.req.query('to') ?? ''];
    if (!HEX.test(from) || !HEX.test(to)) return c.text('from and to must each be a version (hex), as the versions page links them', 422);
    const [before, after] = await Promise.all([journeys.definition(journeyId, from), journeys.definition(journeyId, to)]);
    if (!before || !after) return c.text(`journey "${journeyId}" has no version ${!before ? from : to}`, 404);
    return c.html(diffPage({ journeyId, from, to, after, differences: diffJourneys(before, after) }));
  });

  app.post('/journeys/:journeyId/rollback', async (c) => {
    const who = access.change(c);
    if (who instanceof Response) return who;
    const journeyId = c.req.param('journeyId');
    const form = await c.req.parseBody();
    const version = typeof form.version === 'string' && HEX.test(form.version) ? form.version : undefined;
    try {
      const { from, to } = await journeys.rollback(journeyId, version, `console: ${who.actor}`);
      deps.logger.info({ journeyId, from, to, actor: who.actor }, 'journey rolled back from the console');
      return c.redirect(back(journeyId, `version ${to.slice(0, 12)} is current (was ${from.slice(0, 12)}): new customers enter it within WAYMARK_CATALOG_REFRESH; runs keep the version they started with.`), 303);
    } catch (err) {
      if (err instanceof JourneyChangeError) return c.text(err.message, 409);
      throw err;
    }
  });

  app.post('/journeys/:journeyId/archive', async (c) => {
    const who = access.change(c);
    if (who instanceof Response) return who;
    const journeyId = c.req.param('journeyId');
    if (!(await stateOf(journeyId))) return c.text(`no journey "${journeyId}" is published`, 404);
    const actor = `console: ${who.actor}`;
    const { after } = await journeys.setStatus(journeyId, 'archive', actor);
    deps.sweepArchived(journeyId, { actor, at: after.changedAt.toISOString() });
    const waitS = (config.store.catalogRefreshMs + config.archive.sweepMarginMs) / 1000;
    return c.redirect(
      back(journeyId, `${journeyId} is archived: it takes no new customers, and its running runs are being told to exit (again after ${waitS}s). If this API stops before then, run 'waymark journeys archive ${journeyId}' to finish.`),
      303,
    );
  });
}
