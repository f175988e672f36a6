import fs from 'node:fs';
import { ConfigError } from '../config';
import type { Journey } from '../journey/schema';
import type { Engines } from './liquid';
import type { PublishedTemplate, TemplateChannel } from './schema';
import { checkTemplateFile, expandTemplateArgs, type CheckedTemplateFile } from './template-file';
import type { TemplateLimits } from './validate';

/**
 * Checks template files and folders: each file with its issues and warnings; a template id used
 * by two files is an issue of both (neither is published until the id is used once), as for journeys.
 */
export function checkTemplateFiles(args: string[], liquid: Engines, limits: TemplateLimits): { checked: CheckedTemplateFile[]; empty: string[] } {
  const { files, empty } = expandTemplateArgs(args);
  const checked = files.map((file) => checkTemplateFile(file, liquid, limits));
  const byId = new Map<string, CheckedTemplateFile[]>();
  for (const c of checked) if (c.published) byId.set(c.published.definition.id, [...(byId.get(c.published.definition.id) ?? []), c]);
  for (const [id, same] of byId) {
    if (same.length < 2) continue;
    for (const c of same) {
      const others = same.filter((o) => o !== c).map((o) => o.file).join(', ');
      c.issues.push({ path: 'id', message: `template id "${id}" is also used by ${others}; none of them is published until each id is used once (rename or remove one)`, line: c.lineOf('id') });
    }
  }
  return { checked, empty };
}

/** The valid templates among checked files, with the file each came from. */
export function validTemplates(checked: CheckedTemplateFile[]): Array<{ published: PublishedTemplate; source: string }> {
  return checked.filter((c) => c.published && !c.issues.length).map((c) => ({ published: c.published!, source: c.file }));
}

/** The templates folder's files; throws naming WAYMARK_TEMPLATES_DIR when it cannot be read. */
export function templatesFolder(dir: string): string {
  if (!dir) throw new ConfigError(['no templates folder: set WAYMARK_TEMPLATES_DIR (or WAYMARK_JOURNEYS_DIR, whose "templates" folder is the default), or name the files']);
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ConfigError([`WAYMARK_TEMPLATES_DIR: "${dir}" is not a folder; create it, or point the variable at the folder of your template files`]);
  }
  return dir;
}

/** A send step whose template is missing or is for another channel. */
export interface TemplateRefProblem {
  journeyId: string;
  stepId: string;
  template: string;
  message: string;
}

/**
 * Checks the send steps of `journeys` against `templates` (id -> channel). With `missing:
 * 'report'` a template not in `templates` is a problem; with 'ignore' only a channel mismatch
 * is (for a partial set, such as the files named on a command line).
 */
export function templateRefProblems(journeys: Journey[], templates: ReadonlyMap<string, TemplateChannel>, missing: 'report' | 'ignore'): TemplateRefProblem[] {
  const problems: TemplateRefProblem[] = [];
  for (const journey of journeys) {
    for (const [stepId, step] of Object.entries(journey.steps)) {
      if (step.kind !== 'send') continue;
      // The step's own channel, then each fallback channel: every template must be for its channel.
      for (const [i, sent] of [step, ...(step.fallback ?? [])].entries()) {
        const channel = templates.get(sent.template);
        const at = `journey "${journey.id}" step "${stepId}" ${i ? `falls back to ${sent.channel}` : `sends ${sent.channel}`} template "${sent.template}"`;
        if (channel === undefined && missing === 'report') problems.push({ journeyId: journey.id, stepId, template: sent.template, message: `${at}, which does not exist; add templates/${sent.template}.yaml and publish it` });
        if (channel !== undefined && channel !== sent.channel) {
          problems.push({ journeyId: journey.id, stepId, template: sent.template, message: `${at}, which is for the ${channel} channel; change the ${i ? 'fallback' : "step's"} channel or use a ${sent.channel} template` });
        }
      }
    }
  }
  return problems;
}
