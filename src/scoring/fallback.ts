import type { Features, ScoreName } from './models';
import type { Score, Scorer } from './port';

/**
 * A scorer that answers within `budgetMs` whatever happens: the primary's score when it comes in
 * time, otherwise the stand-in's, carrying why (`fallback`). The primary's late answer is dropped.
 */
export class WithStandIn implements Scorer {
  readonly name: string;
  constructor(
    private readonly primary: Scorer,
    private readonly standIn: Scorer,
    private readonly budgetMs: number,
  ) {
    this.name = `${primary.name}, else ${standIn.name}`;
  }

  async score(model: ScoreName, features: Features): Promise<Score> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`${this.primary.name} took longer than ${this.budgetMs} ms`), this.budgetMs)));
    try {
      const answer = await Promise.race([this.primary.score(model, features).catch((err: Error) => `${this.primary.name}: ${err.message}`), late]);
      if (typeof answer !== 'string') return answer;
      return { ...(await this.standIn.score(model, features)), fallback: answer };
    } finally {
      clearTimeout(timer);
    }
  }
}
