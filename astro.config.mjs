// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import svelte from '@astrojs/svelte';
import mdx from '@astrojs/mdx';
import { satteri } from '@astrojs/markdown-satteri';
import { scrollTables } from './src/markdown/scroll-tables.mjs';
import { sidebarPages } from './src/navigation/sidebar-pages.mjs';
import { pluginNameCodeBlocks } from './src/expressive-code/name-code-blocks.mjs';
import { pluginEstimateBlockSize } from './src/expressive-code/estimate-block-size.mjs';
import { pluginFocusScrollableBlocks } from './src/expressive-code/focus-scrollable-blocks.mjs';
import { labReferences } from './src/content/lab-references.ts';
import { embedHeadScript } from './src/embed/embed-head.mjs';

// The site is fully static: every widget runs the simulator in the reader's browser.
export default defineConfig({
  site: 'https://identity-lab.example',
  // Astro's default Markdown processor, with one plugin of ours; Starlight adds its own to it.
  markdown: { processor: satteri({ hastPlugins: [scrollTables] }) },
  integrations: [
    starlight({
      title: 'Identity Lab',
      description:
        'Step through how Kubernetes workloads get a network-security identity, and how that identity can be mistaken.',
      // The logo sits next to the site title, so it is decorative: an alt text would repeat the title.
      logo: { src: './src/assets/logo.svg', alt: '' },
      favicon: '/favicon.svg',
      customCss: ['./src/styles/site.css'],
      // Our search loads Pagefind's UI when the dialog first opens, not on every page at idle time.
      components: { Search: './src/components/Search.astro' },
      lastUpdated: false,
      // `?embed` (or `?embed=<scenario id>` for one lab of several) shows a page's labs or an exercise
      // without the site's chrome, for an iframe in another course platform: src/embed/embed-head.mjs.
      head: [{ tag: 'script', content: embedHeadScript }],
      // Code blocks go through Expressive Code, which highlights with Shiki at build time
      // (yaml, bash, console, json and go among its bundled grammars), so no highlighter ships to readers.
      // Each block carries its expected height, so the browser can skip drawing it until it nears the
      // screen (content-visibility in src/styles/site.css), and its line lengths, so a block skipped
      // when the window narrows still gets the focus stop of one that scrolls sideways.
      expressiveCode: {
        plugins: [pluginNameCodeBlocks(), pluginEstimateBlockSize(), pluginFocusScrollableBlocks()],
      },
      sidebar: [
        { label: 'Start here', items: [{ label: 'About Identity Lab', slug: 'about' }] },
        { label: 'Guides', items: sidebarPages('guides') },
        { label: 'Cilium security reference', items: sidebarPages('reference') },
        // Exercise and workshop pages are generated from content/exercises and content/workshops.
        { label: 'Workshops', items: [{ label: 'Workshops and exercises', link: '/workshops/' }] },
      ],
    }),
    svelte(),
    // MDX must come after Starlight, which registers its own remark plugins first.
    mdx(),
    // Fails the build on a page's reference to a scenario or step the simulator does not have.
    labReferences(),
  ],
  vite: {
    // Module workers keep their dynamic imports as chunks of their own: the scenario lab's worker
    // loads its scenario, the terminal and the certificate code only when it needs them.
    worker: { format: 'es' },
  },
});
