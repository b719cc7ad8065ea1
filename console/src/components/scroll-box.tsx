import type { ComponentChildren } from 'preact';

/**
 * A wide table's horizontal scroller (390 px screens). Focusable and named, so it can be
 * scrolled from the keyboard and a screen reader says what it holds (WCAG 2.1.1).
 */
export function ScrollBox(props: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to scroll by keyboard
    <section class="scroll" tabIndex={0} aria-label={props.label}>
      {props.children}
    </section>
  );
}
