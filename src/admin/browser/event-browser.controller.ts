import { Controller, Get, Header, Logger, NotFoundException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Public } from '../../auth/public.decorator.js';

/**
 * Where the page's files are: beside this module when it runs from the sources (tests), or in
 * the sources when it runs built (`dist/src/admin/browser/` → `src/admin/browser/static/`), as
 * `npm start` and the Docker image (which copies `src/`) run it. tsc copies no other files.
 */
const CANDIDATES = ['./static/', '../../../../src/admin/browser/static/'].map((path) => fileURLToPath(new URL(path, import.meta.url)));

const FILES = { page: 'index.html', script: 'app.js', style: 'app.css' } as const;

type Files = Record<keyof typeof FILES, string>;

/** The page's files, or why they are not there. */
const readFiles = (): Files | string => {
  const directory = CANDIDATES.find((candidate) => Object.values(FILES).every((file) => existsSync(candidate + file)));
  if (!directory) return `the event browser's files (${Object.values(FILES).join(', ')}) are in none of ${CANDIDATES.join(', ')}`;
  const read = (file: string) => readFileSync(directory + file, 'utf8');
  return { page: read(FILES.page), script: read(FILES.script), style: read(FILES.style) };
};

/**
 * The event browser for operators: one static page, its script and its stylesheet, served as
 * files so helmet's policy (no inline script) holds. The files hold no data and need no
 * credentials; everything they show comes from the operator-only `/v1/admin` API, called with
 * the token the operator pastes in.
 */
@ApiExcludeController()
@Public()
@Controller('admin')
export class EventBrowserController {
  private readonly files = readFiles();

  constructor() {
    // A build without its sources still serves the API (and the CLI runs): only /admin is missing, said at start.
    if (typeof this.files === 'string') new Logger('EventBrowser').warn(`${this.files}: /admin answers 404`);
  }

  private file(name: keyof Files): string {
    if (typeof this.files === 'string') throw new NotFoundException({ code: 'EVENT_BROWSER_MISSING', message: this.files });
    return this.files[name];
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  page(): string {
    return this.file('page');
  }

  @Get('app.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'no-cache')
  script(): string {
    return this.file('script');
  }

  @Get('app.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'no-cache')
  style(): string {
    return this.file('style');
  }
}
