/**
 * What a child process printed, kept within a bound: its beginning (where a Go panic or a
 * start-up error says what went wrong) and its end (where it stopped), with how much was left out.
 */
export class Excerpt {
  private head = '';
  private tail = '';
  private dropped = 0;

  constructor(private readonly max: number) {}

  add(text: string): void {
    const room = Math.floor(this.max / 2) - this.head.length;
    if (room > 0) {
      this.head += text.slice(0, room);
      text = text.slice(room);
    }
    const kept = this.tail + text;
    const over = kept.length - Math.ceil(this.max / 2);
    if (over > 0) this.dropped += over;
    this.tail = over > 0 ? kept.slice(over) : kept;
  }

  text(): string {
    return this.dropped ? `${this.head}\n[... ${this.dropped} characters left out ...]\n${this.tail}` : this.head + this.tail;
  }
}
