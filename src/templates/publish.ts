import type { Config } from '../config';
import type { ValidationIssue } from '../journey/validate';
import { checkTemplateFiles, templatesFolder } from './catalog';
import { engines } from './liquid';
import { TemplateChangeError, type TemplatePublishOutcome, type TemplateStore } from './template-store';
import { templateLimits } from './validate';

export interface TemplatePublishReport {
  published: Array<TemplatePublishOutcome & { templateId: string; source: string; warnings: ValidationIssue[] }>;
  /** Files (or folders) not published, each with why: invalid, an id used twice, a changed channel, no template file. */
  refused: Array<{ source: string; issues: ValidationIssue[] }>;
  actor: string;
}

/**
 * Validates and publishes template files (default: WAYMARK_TEMPLATES_DIR) as made by `actor`
 * (runtime.ts actorOf: WAYMARK_ACTOR, else user@host). An invalid file is
 * refused and the valid ones are published all the same; the same content again is a no-op.
 * Throws ConfigError when the default folder cannot be read.
 */
export async function publishTemplates(config: Config, templates: TemplateStore, actor: string, paths: string[] = []): Promise<TemplatePublishReport> {
  const limits = templateLimits(config);
  const { checked, empty } = checkTemplateFiles(paths.length ? paths : [templatesFolder(config.templates.dir)], engines(limits), limits);
  const report: TemplatePublishReport = { published: [], refused: empty.map((source) => ({ source, issues: [{ path: '', message: 'has no .json, .yaml or .yml file' }] })), actor };
  for (const c of checked) {
    if (c.issues.length || !c.published) {
      report.refused.push({ source: c.file, issues: c.issues });
      continue;
    }
    try {
      const outcome = await templates.publish(c.published, c.file, actor);
      report.published.push({ ...outcome, templateId: c.published.definition.id, source: c.file, warnings: c.warnings });
    } catch (err) {
      if (!(err instanceof TemplateChangeError)) throw err;
      report.refused.push({ source: c.file, issues: [{ path: 'channel', line: c.lineOf('channel'), message: err.message }] });
    }
  }
  return report;
}
