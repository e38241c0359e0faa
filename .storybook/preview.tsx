import type { Preview } from "@storybook/react-vite";
import "../packages/widgets/src/styles/styles.css";

const preview: Preview = {
  parameters: {
    layout: "padded",
    // Every story is checked with axe (WCAG 2.2 AA rules); a violation fails it in the test runner.
    a11y: { test: "error", options: { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } },
    controls: { expanded: true },
  },
};

export default preview;
