import type { ReactNode } from 'react';
import { Link as RouterLink } from 'wouter';
import { navigate as navigateTo } from 'wouter/use-browser-location';
import { pathOf, type Route } from './routes.js';

/** Goes to a page as a link would: a new history entry, so that back returns here. */
export function navigate(route: Route): void {
  navigateTo(pathOf(route));
}

/** A real link to a page (open in a new tab works) that navigates without reloading on a plain click. */
export function Link({ to, children, className }: { to: Route; children: ReactNode; className?: string }) {
  return (
    <RouterLink href={pathOf(to)} className={className}>
      {children}
    </RouterLink>
  );
}
