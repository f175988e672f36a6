import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { PublishedJourney } from '../journey/schema';
import type { ProfileStore, ProfileView } from '../profiles/port';
import type { JourneyStore } from '../store/journeys';
import { checkTemplateFiles, validTemplates } from './catalog';
import type { Engines } from './liquid';
import type { PublishedTemplate } from './schema';
import { TEMPLATE_FILE, checkTemplateFile } from './template-file';
import type { TemplateStore } from './template-store';
import { templateLimits } from './validate';
import { templateVariables, type TemplateVariables } from './variables';

/** A preview that cannot be made; the message says what to give instead. */
export class PreviewError extends Error {
  readonly code = 'TEMPLATE_PREVIEW';
  constructor(message: string) {
    super(message);
    this.name = 'PreviewError';
  }
}

export interface PreviewContext {
  template: PublishedTemplate;
  /** "published" (the store's version), or the file it was read from. */
  from: string;
  journey: { id: string; version: string; step: string; from: string };
  profile: ProfileView;
  variables: TemplateVariables;
}

export interface PreviewDeps {
  config: Config;
  templates: TemplateStore;
  journeys: JourneyStore;
  profiles: ProfileStore;
  liquid: Engines;
  /** The journeys in the journey files, for a journey not published yet. */
  journeyFiles: () => PublishedJourney[];
}

/** `ref` is a template file, `id@version`, or an id: the store's current version, else the templates folder's file. */
async function findTemplate(ref: string, deps: PreviewDeps): Promise<{ template: PublishedTemplate; from: string }> {
  const limits = templateLimits(deps.config);
  if (TEMPLATE_FILE.test(ref) && fs.existsSync(ref)) {
    const checked = checkTemplateFile(ref, deps.liquid, limits);
    if (!checked.published || checked.issues.length) throw new PreviewError(`${ref} is not a valid template; 'waymark templates validate ${ref}' says why`);
    return { template: checked.published, from: ref };
  }
  const [id, version] = ref.split('@') as [string, string | undefined];
  const stored = await deps.templates.get(id, version);
  if (stored) return { template: stored, from: 'published' };
  if (version) throw new PreviewError(`template "${id}" has no version ${version}; 'waymark templates list ${id}' shows its versions`);
  const dir = deps.config.templates.dir;
  const files = dir && fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ? validTemplates(checkTemplateFiles([dir], deps.liquid, limits).checked) : [];
  const file = files.find((f) => f.published.definition.id === id);
  if (!file) throw new PreviewError(`no template "${id}" is published or in ${dir || 'a templates folder'}; 'waymark templates list' shows the published ones`);
  return { template: file.published, from: path.relative(process.cwd(), file.source) || file.source };
}

/** The journey and step that send the template: `journeyId` if given, else the first journey (by id) with such a step. Published versions first, then the journey files. */
async function findJourney(templateId: string, journeyId: string | undefined, deps: PreviewDeps): Promise<{ journey: PublishedJourney; step: string; from: string }> {
  const published = (await deps.journeys.current()).map((j) => ({ journey: j.published, from: 'published' }));
  const fromFiles = deps.journeyFiles().filter((j) => !published.some((p) => p.journey.definition.id === j.definition.id)).map((journey) => ({ journey, from: 'journey file' }));
  const candidates = [...published, ...fromFiles].filter((c) => journeyId === undefined || c.journey.definition.id === journeyId);
  if (journeyId !== undefined && !candidates.length) throw new PreviewError(`no journey "${journeyId}" is published or in the journey files; 'waymark journeys list' shows the ids`);
  for (const c of candidates.sort((a, b) => a.journey.definition.id.localeCompare(b.journey.definition.id))) {
    const step = Object.entries(c.journey.definition.steps).find(([, s]) => s.kind === 'send' && s.template === templateId)?.[0];
    if (step) return { ...c, step };
  }
  const which = journeyId ? `journey "${journeyId}" has` : 'no journey has';
  throw new PreviewError(`${which} a send step for template "${templateId}": journey.* would have nothing to show; add the step, or name a journey that sends it with --journey`);
}

/** Everything a preview renders with: the template, the journey step that sends it, the customer's stored profile, the event's properties. */
export async function previewContext(
  input: { ref: string; customerId: string; eventProperties: Record<string, unknown>; journeyId?: string },
  deps: PreviewDeps,
): Promise<PreviewContext> {
  const { template, from } = await findTemplate(input.ref, deps);
  const { journey, step, from: journeyFrom } = await findJourney(template.definition.id, input.journeyId, deps);
  const profile = await deps.profiles.get(input.customerId);
  const variables = templateVariables({
    customerId: input.customerId,
    profile,
    eventProperties: input.eventProperties,
    journey: { id: journey.definition.id, name: journey.definition.name, version: journey.version },
    stepId: step,
  });
  return { template, from, journey: { id: journey.definition.id, version: journey.version, step, from: journeyFrom }, profile, variables };
}
