import { handleAuthRequest } from "@/lib/auth/http-handler";

// Only sign-in and sign-out answer (lib/auth/http-handler.ts); every other method and path is a 404.
export const GET = handleAuthRequest;
export const POST = handleAuthRequest;
