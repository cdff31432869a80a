import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser } from 'playwright-core';

/**
 * Headless Chromium from @sparticuz/chromium (WebGL 2 through SwiftShader), for pages the bot serves.
 * Tests run as root (--no-sandbox) on a machine without network: nothing in the background may call out.
 * One per test file: launch it in beforeAll and close it in afterAll.
 */
export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    // Not --single-process (meant for AWS Lambda): with it, closing one page's context ends the whole browser.
    args: [...chromium.args.filter((a) => a !== '--single-process'), '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    headless: true,
  });
}
