import { Excerpt } from '../../src/output-excerpt';

describe('an excerpt of what a process printed', () => {
  it('keeps all of a short output', () => {
    const e = new Excerpt(20);
    e.add('panic: ');
    e.add('bind');
    expect(e.text()).toBe('panic: bind');
  });

  it('keeps the beginning and the end of a long one, saying how much was left out', () => {
    const e = new Excerpt(10);
    e.add('panic: address in use\n');
    for (let i = 0; i < 5; i++) e.add(`goroutine ${i}\n`);
    e.add('exit');
    expect(e.text()).toBe('panic\n[... 76 characters left out ...]\n\nexit'); // 86 printed: 5 first, 5 last
  });
});
