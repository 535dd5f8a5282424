"use client";
import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState, type ReactNode } from "react";
import { FormProvider, useForm, useWatch, type FieldPath } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import { PropertyTable, SecretState } from "@/components/profiles/PropertyTable";
import { createProfileAction, updateProfileAction } from "@/lib/actions/profiles";
import type { ActionError } from "@/lib/actions/define-action";
import { defaultPort, parseMailServerUrl } from "@/lib/profiles/mail-server-url";
import { oauthMethodLabels, requestPropertiesFor, type OAuthMethod } from "@/lib/profiles/oauth-defaults";
import { connectionContext, profileSchema, type ProfileInput } from "@/lib/profiles/schema";
import type { SecretField } from "@/lib/profiles/secret-fields";
import { errorMessage } from "@/components/profiles/form-errors";
import { ExpiryBadge } from "@/components/certificates/ExpiryBadge";
import { LintPanel } from "@/components/profiles/LintPanel";
import { DestinationNotice } from "@/components/profiles/DestinationNotice";
import { TestPanel } from "@/components/profiles/TestPanel";
import type { TestResult } from "@/lib/diagnostics/types";
import type { CertificateSummary } from "@/lib/certs/certificate-store";
import { CLOUDS, cloudById, cloudOfHost, type CloudId } from "@/lib/oauth/clouds";
import { lintOAuthProfile } from "@/lib/oauth/lint";

export type CertificateChoice = Pick<
  CertificateSummary,
  "id" | "name" | "subject" | "sha1Hex" | "notAfter" | "expiryStatus" | "daysUntilExpiry"
>;

interface ProfileFormProps {
  profileId?: string;
  version?: number;
  defaultValues: ProfileInput;
  notice?: string;
  certificates: CertificateChoice[];
  lastTestResult?: TestResult | null;
  /** Use access: the configuration is shown, not editable; Test still runs (the saved configuration) */
  readOnly?: boolean;
  /** false for viewers: they may keep a profile's stored certificate, not choose one (the server enforces it) */
  canUseCertificates?: boolean;
}

function Section({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  const id = title.toLowerCase().replace(/\W+/g, "-");
  return (
    <section aria-labelledby={id} className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id={id} className="text-base font-semibold text-slate-900">
        {title}
      </h2>
      {description ? <p className="mt-0.5 text-sm text-slate-600">{description}</p> : null}
      <div className="mt-4 space-y-4">{children}</div>
    </section>
  );
}

export function ProfileForm({
  profileId,
  version,
  defaultValues,
  notice,
  certificates,
  lastTestResult,
  readOnly = false,
  canUseCertificates = true,
}: ProfileFormProps) {
  const router = useRouter();
  const form = useForm<ProfileInput>({ resolver: zodResolver(profileSchema), defaultValues, mode: "onTouched" });
  const { register, handleSubmit, formState, setError, setValue, getValues, control } = form;
  const [serverError, setServerError] = useState<ActionError | null>(null);
  const values = useWatch({ control }) as ProfileInput;
  const errorOf = (path: FieldPath<ProfileInput>) => errorMessage(formState.errors, path);

  const context = useMemo(() => connectionContext(values), [values]);
  const parsedHost = parseMailServerUrl(values.connection.mailServerUrl);
  const isOAuth = values.authentication.type === "oauth2";
  const portDefault = defaultPort(values.connection.protocol, values.connection.security);
  const findings = useMemo(() => lintOAuthProfile(values), [values]);
  const cloud = cloudOfHost(values.authentication.tokenUrl);
  const selectedCertificate = certificates.find((c) => c.id === values.authentication.certificate.certificateId);

  const applyCloud = (id: CloudId) => {
    const preset = cloudById(id);
    const tokenUrl = getValues("authentication.tokenUrl").trim();
    const path = /^https?:\/\/[^/]+(\/.*)?$/.exec(tokenUrl)?.[1] ?? "/TENANT_ID/oauth2/v2.0/token";
    setValue("authentication.tokenUrl", `${preset.authorityHost}${path}`, { shouldDirty: true, shouldValidate: true });
    setValue(
      "authentication.requestProperties",
      getValues("authentication.requestProperties").map((row) =>
        row.key.trim() === "scope" ? { ...row, value: preset.scope } : row,
      ),
      { shouldDirty: true },
    );
    const server = parseMailServerUrl(getValues("connection.mailServerUrl"));
    const scheme = server.ok && server.value.scheme ? `${server.value.scheme}://` : "";
    const port = server.ok && server.value.port ? `:${server.value.port}` : "";
    setValue("connection.mailServerUrl", `${scheme}${preset.mailHost}${port}`, { shouldDirty: true, shouldValidate: true });
  };

  const onSubmit = handleSubmit(async (input) => {
    setServerError(null);
    const result = profileId
      ? await updateProfileAction({ id: profileId, version: version!, profile: input })
      : await createProfileAction({ profile: input });
    if (!result.ok) {
      setServerError(result.error);
      for (const [path, message] of Object.entries(result.error.fields ?? {})) {
        if (path !== "_form") setError(path as FieldPath<ProfileInput>, { type: "server", message });
      }
      return;
    }
    router.replace(`/profiles/${result.data.id}?saved=${result.data.version}`);
    router.refresh();
  });

  const setSecretClear = (field: SecretField, clear: boolean) => {
    const current = getValues("secrets.clear");
    setValue("secrets.clear", clear ? [...current, field] : current.filter((f) => f !== field), { shouldDirty: true });
  };
  const secretPlaceholder = (field: SecretField) =>
    values.secrets.stored[field] && !values.secrets.clear.includes(field) ? "stored — leave blank to keep" : undefined;

  return (
    <FormProvider {...form}>
      <form onSubmit={onSubmit} noValidate className="space-y-5" aria-describedby="form-status">
        <div id="form-status" aria-live="polite" className="space-y-2">
          {notice && !serverError && !formState.isDirty ? <Alert tone="success">{notice}</Alert> : null}
          {serverError ? (
            <Alert tone="error">
              <p>{serverError.message}</p>
              {serverError.code === "version_conflict" ? (
                <p className="mt-2">
                  <Button variant="secondary" size="sm" onClick={() => window.location.reload()}>
                    Reload the latest version
                  </Button>
                  <span className="ml-2 text-xs">Reloading discards the edits in this form; copy anything you need first.</span>
                </p>
              ) : null}
            </Alert>
          ) : null}
          {formState.submitCount > 0 && !formState.isValid && !serverError && Object.keys(formState.errors).length > 0 ? (
            <Alert tone="error">Some fields need attention: see the messages beside them.</Alert>
          ) : null}
        </div>

        <fieldset disabled={readOnly} className="min-w-0 space-y-5">
          <Section title="Connection Configuration" description="Where the mail server is and how the connection is secured.">
            <div className="grid gap-4 sm:grid-cols-2">
              <Field id="name" label="Name" error={errorOf("name")} required>
                <Input autoComplete="off" {...register("name")} />
              </Field>
              <Field id="description" label="Description" error={errorOf("description")}>
                <Input autoComplete="off" {...register("description")} />
              </Field>
            </div>
            <div className="grid gap-4 sm:grid-cols-[10rem_1fr_8rem_12rem]">
              <Field id="protocol" label="Protocol" error={errorOf("connection.protocol")}>
                <Select {...register("connection.protocol")}>
                  <option value="imap">IMAP</option>
                  <option value="pop3">POP3</option>
                </Select>
              </Field>
              <Field
                id="mailServerUrl"
                label="Mail server URL"
                required
                error={errorOf("connection.mailServerUrl")}
                hint={
                  parsedHost.ok &&
                  parsedHost.value.host !==
                    values.connection.mailServerUrl
                      .trim()
                      .toLowerCase()
                      .replace(/^[a-z0-9]+:\/\//, "")
                      .replace(/:\d+$/, "")
                    ? `Connects to ${parsedHost.value.host}`
                    : "Host, host:port, or imaps://host"
                }
              >
                <Input
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="outlook.office365.com"
                  {...register("connection.mailServerUrl")}
                />
              </Field>
              <Field id="port" label="Port" error={errorOf("connection.port")} hint={`Blank: ${portDefault}`}>
                <Input
                  inputMode="numeric"
                  autoComplete="off"
                  placeholder={String(portDefault)}
                  {...register("connection.port")}
                />
              </Field>
              <Field
                id="security"
                label="Security"
                error={errorOf("connection.security")}
                hint={
                  values.connection.security === "none"
                    ? undefined
                    : values.connection.security === "tls"
                      ? "TLS from the first byte (993/995)"
                      : "Plain connect, then required upgrade (143/110)"
                }
              >
                <Select {...register("connection.security")}>
                  <option value="tls">TLS (implicit)</option>
                  <option value="starttls">STARTTLS</option>
                  <option value="none">None — insecure</option>
                </Select>
              </Field>
            </div>
            {values.connection.security === "none" ? (
              <Alert tone="warning">
                <Badge tone="danger">Insecure</Badge> The password crosses the network in plain text. Use only on a trusted test
                network, and only with Basic authentication.
              </Alert>
            ) : null}
            <details
              className="group rounded-md border border-slate-200 px-3 py-2"
              open={Boolean(values.connection.trustedCaPem)}
            >
              <summary className="cursor-pointer text-sm font-medium text-slate-800 focus-visible:outline-2 focus-visible:outline-blue-600">
                Trusted CA certificates (private servers)
              </summary>
              <div className="mt-3">
                <Field
                  id="trustedCaPem"
                  label="Extra trusted CA certificates (PEM)"
                  error={errorOf("connection.trustedCaPem")}
                  hint="Trusted in addition to the system store, for mail and token servers with a private CA."
                >
                  <Textarea
                    rows={4}
                    spellCheck={false}
                    placeholder="-----BEGIN CERTIFICATE-----"
                    {...register("connection.trustedCaPem")}
                  />
                </Field>
              </div>
            </details>
            {profileId ? <DestinationNotice saved={defaultValues} current={values} parts={["mail", "trust"]} /> : null}
          </Section>

          <Section
            title="Additional properties"
            description="JavaMail properties, as your integration platform takes them. Known keys are checked against the settings above."
          >
            <PropertyTable
              name="connection.additionalProperties"
              caption="JavaMail properties"
              description="e.g. mail.imap.ssl.enable=true, mail.imap.connectiontimeout=15000"
              context={context}
              addLabel="Add property"
            />
          </Section>

          <Section title="Authentication Configuration" description="How the console proves who it is to the mail server.">
            <div className="grid gap-4 sm:grid-cols-2">
              <Field id="authType" label="Authentication type" error={errorOf("authentication.type")}>
                <Select {...register("authentication.type")}>
                  <option value="oauth2">OAUTH2</option>
                  <option value="basic">Basic</option>
                </Select>
              </Field>
              <Field
                id="username"
                label={isOAuth ? "Username (mailbox)" : "Username"}
                required
                error={errorOf("authentication.username")}
                hint={isOAuth ? "The mailbox the app was granted with Add-MailboxPermission" : undefined}
              >
                <Input
                  autoComplete="off"
                  spellCheck={false}
                  placeholder={isOAuth ? "support@contoso.com" : undefined}
                  {...register("authentication.username")}
                />
              </Field>
            </div>

            {!isOAuth ? (
              <div className="grid gap-4 sm:grid-cols-2">
                <Field id="password" label="Password" required error={errorOf("authentication.password")}>
                  <Input
                    type="password"
                    autoComplete="new-password"
                    placeholder={secretPlaceholder("password")}
                    {...register("authentication.password")}
                  />
                </Field>
                {values.secrets.stored.password ? (
                  <div className="self-center">
                    <SecretState
                      field="password"
                      clearing={values.secrets.clear.includes("password")}
                      onClear={(c) => setSecretClear("password", c)}
                    />
                  </div>
                ) : null}
              </div>
            ) : (
              <>
                <div className="max-w-md">
                  <Field
                    id="cloud"
                    label="Microsoft cloud"
                    hint="Fills the token URL's host, the scope and the mail server together"
                  >
                    <Select
                      value={cloud?.id ?? ""}
                      onChange={(event) => event.target.value && applyCloud(event.target.value as CloudId)}
                    >
                      {cloud ? null : <option value="">Other / not Microsoft</option>}
                      {CLOUDS.map((preset) => (
                        <option key={preset.id} value={preset.id}>
                          {preset.label}
                        </option>
                      ))}
                    </Select>
                  </Field>
                </div>
                <div className="grid gap-4 sm:grid-cols-[1fr_18rem]">
                  <Field
                    id="tokenUrl"
                    label="Token URL"
                    required
                    error={errorOf("authentication.tokenUrl")}
                    hint="TENANT_ID or {tenant} is replaced by the Tenant ID"
                  >
                    <Input autoComplete="off" spellCheck={false} {...register("authentication.tokenUrl")} />
                  </Field>
                  <Field
                    id="tenantId"
                    label="Tenant ID"
                    error={errorOf("authentication.tenantId")}
                    hint="Directory (tenant) ID from the app's Overview page"
                  >
                    <Input
                      autoComplete="off"
                      spellCheck={false}
                      placeholder="00000000-0000-0000-0000-000000000000"
                      {...register("authentication.tenantId")}
                    />
                  </Field>
                </div>
                {profileId ? <DestinationNotice saved={defaultValues} current={values} parts={["token"]} /> : null}
                <Field id="method" label="Client authentication method" error={errorOf("authentication.method")}>
                  <Select
                    {...register("authentication.method", {
                      onChange: (event) => {
                        const method = event.target.value as OAuthMethod;
                        setValue(
                          "authentication.requestProperties",
                          requestPropertiesFor(method, getValues("authentication.requestProperties")),
                          { shouldDirty: true },
                        );
                      },
                    })}
                  >
                    {(Object.keys(oauthMethodLabels) as OAuthMethod[]).map((method) => (
                      <option key={method} value={method}>
                        {oauthMethodLabels[method]}
                      </option>
                    ))}
                  </Select>
                </Field>
                <PropertyTable
                  name="authentication.requestProperties"
                  caption="Request properties"
                  description="Sent as form fields of the token request. Secret values are write-only."
                  addLabel="Add request property"
                />
                {values.authentication.method === "client_certificate" ? (
                  <div className="space-y-4 rounded-md border border-slate-200 p-4">
                    <h3 className="text-sm font-semibold text-slate-800">Certificate</h3>
                    <fieldset className="flex flex-wrap gap-4 text-sm">
                      <legend className="sr-only">Where the certificate comes from</legend>
                      <label className="flex items-center gap-2">
                        <input
                          type="radio"
                          value="stored"
                          className="size-4"
                          {...register("authentication.certificate.source")}
                        />{" "}
                        A certificate stored in the console
                      </label>
                      <label className="flex items-center gap-2">
                        <input type="radio" value="pem" className="size-4" {...register("authentication.certificate.source")} />{" "}
                        Paste certificate and key (PEM)
                      </label>
                    </fieldset>
                    {values.authentication.certificate.source === "stored" ? (
                      <div className="space-y-2">
                        <Field
                          id="certificateId"
                          label="Certificate"
                          required
                          error={errorOf("authentication.certificate.certificateId")}
                          hint={
                            !canUseCertificates
                              ? "Only Editors and above may choose a stored certificate: it signs for every mailbox its app may open."
                              : certificates.length === 0
                                ? "No certificate yet: generate or import one under Certificates."
                                : "The one uploaded to the app registration. Whoever may use certificates can sign with it: as strong as reading every mailbox its app may open."
                          }
                        >
                          {canUseCertificates ? (
                            <Select {...register("authentication.certificate.certificateId")}>
                              <option value="">Choose…</option>
                              {certificates.map((c) => (
                                <option key={c.id} value={c.id}>
                                  {c.name} — {c.subject} — expires {c.notAfter.slice(0, 10)}
                                </option>
                              ))}
                            </Select>
                          ) : (
                            <Input
                              readOnly
                              value={
                                selectedCertificate
                                  ? `${selectedCertificate.name} — ${selectedCertificate.subject}`
                                  : "None chosen"
                              }
                            />
                          )}
                        </Field>
                        {selectedCertificate ? (
                          <p
                            className="flex flex-wrap items-center gap-2 text-xs text-slate-700"
                            data-testid="selected-certificate"
                          >
                            <span>
                              Thumbprint <span className="font-mono">{selectedCertificate.sha1Hex}</span>
                            </span>
                            <ExpiryBadge certificate={selectedCertificate} />
                            <Link className="text-blue-700 underline" href={`/certificates/${selectedCertificate.id}`}>
                              Details
                            </Link>
                          </p>
                        ) : null}
                        <p className="text-xs">
                          <Link className="text-blue-700 underline" href="/certificates/new">
                            Generate a new certificate
                          </Link>
                        </p>
                      </div>
                    ) : (
                      <>
                        <Field
                          id="certificatePem"
                          label="Certificate (PEM)"
                          required
                          error={errorOf("authentication.certificate.certificatePem")}
                          hint="The certificate uploaded to the app registration"
                        >
                          <Textarea
                            rows={4}
                            spellCheck={false}
                            placeholder="-----BEGIN CERTIFICATE-----"
                            {...register("authentication.certificate.certificatePem")}
                          />
                        </Field>
                        <Field
                          id="privateKeyPem"
                          label="Private key (PEM)"
                          required
                          error={errorOf("authentication.certificate.privateKeyPem")}
                        >
                          <Textarea
                            rows={4}
                            spellCheck={false}
                            autoComplete="off"
                            placeholder={secretPlaceholder("private_key") ?? "-----BEGIN PRIVATE KEY-----"}
                            {...register("authentication.certificate.privateKeyPem")}
                          />
                        </Field>
                        {values.secrets.stored.private_key ? (
                          <SecretState
                            field="private_key"
                            clearing={values.secrets.clear.includes("private_key")}
                            onClear={(c) => setSecretClear("private_key", c)}
                          />
                        ) : null}
                        <Field
                          id="privateKeyPassphrase"
                          label="Key passphrase"
                          error={errorOf("authentication.certificate.privateKeyPassphrase")}
                          hint="Only for an encrypted key"
                        >
                          <Input
                            type="password"
                            autoComplete="new-password"
                            placeholder={secretPlaceholder("private_key_passphrase")}
                            {...register("authentication.certificate.privateKeyPassphrase")}
                          />
                        </Field>
                      </>
                    )}
                    <div className="grid gap-4 sm:grid-cols-2">
                      <Field
                        id="assertionAlgorithm"
                        label="Assertion signature"
                        error={errorOf("authentication.assertion.algorithm")}
                      >
                        <Select {...register("authentication.assertion.algorithm")}>
                          <option value="PS256">PS256 + x5t#S256 (current)</option>
                          <option value="RS256">RS256 + x5t (original guide)</option>
                        </Select>
                      </Field>
                      <Field
                        id="assertionLifetime"
                        label="Assertion lifetime (s)"
                        error={errorOf("authentication.assertion.lifetimeSeconds")}
                        hint="60–600, blank: 300"
                      >
                        <Input inputMode="numeric" placeholder="300" {...register("authentication.assertion.lifetimeSeconds")} />
                      </Field>
                    </div>
                  </div>
                ) : null}
                <details className="rounded-md border border-slate-200 px-3 py-2">
                  <summary className="cursor-pointer text-sm font-medium text-slate-800 focus-visible:outline-2 focus-visible:outline-blue-600">
                    Advanced
                  </summary>
                  <div className="mt-3 max-w-md">
                    <Field
                      id="clientAuthentication"
                      label="How the client secret is sent"
                      error={errorOf("authentication.clientAuthentication")}
                      hint="Microsoft takes form fields; some other token servers want HTTP Basic."
                    >
                      <Select {...register("authentication.clientAuthentication")}>
                        <option value="client_secret_post">Form fields (client_secret_post)</option>
                        <option value="client_secret_basic">HTTP Basic header (client_secret_basic)</option>
                      </Select>
                    </Field>
                  </div>
                </details>
              </>
            )}
          </Section>
        </fieldset>

        {findings.length > 0 && !readOnly ? <LintPanel findings={findings} /> : null}

        <TestPanel form={form} profileId={profileId} lastResult={lastTestResult} />

        {readOnly ? null : (
          <div className="sticky bottom-0 -mx-4 flex items-center justify-end gap-3 border-t border-slate-200 bg-slate-50/95 px-4 py-3 sm:-mx-6 sm:px-6">
            {formState.isDirty ? <span className="text-sm text-slate-600">Unsaved changes</span> : null}
            <Button type="submit" disabled={formState.isSubmitting}>
              {formState.isSubmitting ? "Saving…" : profileId ? "Save changes" : "Create profile"}
            </Button>
          </div>
        )}
      </form>
    </FormProvider>
  );
}
