"use client";
import { useSyncExternalStore } from "react";

function describe(iso: string, now: number): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 30) return `${days} d ago`;
  return new Date(iso).toISOString().slice(0, 10);
}

/**
 * "3 min ago", with the exact time in the tooltip. The server renders the UTC date; the browser
 * switches to the relative form after hydration, so both renders agree and the width barely moves.
 */
const TICK = 30_000;
const subscribe = (onTick: () => void) => {
  const timer = setInterval(onTick, TICK);
  return () => clearInterval(timer);
};
// rounded so that repeated reads between ticks return the same snapshot
const clientNow = () => Math.floor(Date.now() / TICK) * TICK;
const serverNow = () => null;

export function RelativeTime({ iso }: { iso: string }) {
  const now = useSyncExternalStore(subscribe, clientNow, serverNow);
  return (
    <time dateTime={iso} title={new Date(iso).toUTCString()}>
      {now === null ? iso.slice(0, 16).replace("T", " ") : describe(iso, now)}
    </time>
  );
}
