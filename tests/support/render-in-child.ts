import { loadConfig } from '../../src/config';
import { engines } from '../../src/templates/liquid';
import { renderTemplate } from '../../src/templates/render';
import { templateLimits, validateTemplate } from '../../src/templates/validate';
import { templateVariables } from '../../src/templates/variables';

/**
 * Renders SMS templates in a process of its own, so a render that takes all the memory it can
 * kills this process and not the test run: `node --max-old-space-size=256 --import tsx` this file
 * with a JSON list of { text, event } as its argument. Prints one JSON line per template (the
 * error it failed with, and how long it took), then the peak resident memory of the process.
 */
const liquid = engines(templateLimits(loadConfig({})));
const cases = JSON.parse(process.argv[2]!) as Array<{ text: string; event: Record<string, unknown> }>;
for (const { text, event } of cases) {
  const checked = validateTemplate({ id: 'hostile', channel: 'sms', variables: { event: Object.keys(event) }, text }, liquid);
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  const variables = templateVariables({ customerId: 'c', profile: {}, eventProperties: event, journey: { id: 'j', name: 'J', version: 'v' }, stepId: 's' });
  const started = performance.now();
  let error: { name: string; message: string } | undefined;
  try {
    renderTemplate(checked.template, variables, liquid);
  } catch (err) {
    error = { name: (err as Error).name, message: (err as Error).message };
  }
  console.log(JSON.stringify({ text, error, ms: Math.round(performance.now() - started) }));
}
console.log(JSON.stringify({ peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
