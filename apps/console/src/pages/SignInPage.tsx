import { useNavigate, useSearch } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import { ConsoleHttpError, sessionApi } from "../api";
import { Banner, Loading, WithCode } from "../components/ui";
import type { Translator } from "../i18n";
import { usePrefs } from "../prefs";
import { adoptSession, useSession } from "../session";

interface SignInValues {
  email: string;
  password: string;
}
interface SetupValues extends SignInValues {
  apiKey: string;
  name: string;
}

/** Sign-in, or on a fresh install the one-time setup of the first operator (proved by an API key). */
export function SignInPage() {
  const { t } = usePrefs();
  const session = useSession();
  const search = useSearch({ from: "/sign-in" });
  const navigate = useNavigate();
  // Only a path on this site: an open redirect to another site would help phishing.
  const target =
    search.redirect?.startsWith("/") && !search.redirect.startsWith("//") ? search.redirect : "/tenants";
  const goOn = () => navigate({ to: target, replace: true });
  const signedIn = Boolean(session.data?.session);
  useEffect(() => {
    if (signedIn) void navigate({ to: target, replace: true });
  }, [signedIn, navigate, target]);

  if (session.isPending) {
    return (
      <main className="auth-page">
        <Loading rows={2} />
      </main>
    );
  }
  if (signedIn) return null;
  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand auth-brand">
          <span className="brand-mark" aria-hidden="true">
            T
          </span>
          <span>Tenantry</span>
        </div>
        {session.data?.setupRequired ? <SetupForm onDone={goOn} /> : <SignInForm onDone={goOn} />}
        <p className="muted small auth-note">
          <WithCode text={t("signIn.note")} />
        </p>
      </div>
    </main>
  );
}

function SignInForm(props: { onDone: () => void }) {
  const { t } = usePrefs();
  const [problem, setProblem] = useState<string | null>(null);
  // A reset's temporary password was right: it only buys choosing a new one.
  const [reset, setReset] = useState<SignInValues | null>(null);
  const form = useForm<SignInValues>({ defaultValues: { email: "", password: "" } });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (values) => {
    setProblem(null);
    try {
      adoptSession((await sessionApi.signIn(values.email, values.password))!);
      props.onDone();
    } catch (error) {
      if (error instanceof ConsoleHttpError && error.code === "password_change_required") setReset(values);
      else setProblem(signInProblem(error, t));
    }
  });

  if (reset) return <ChangePasswordForm signIn={reset} onDone={props.onDone} />;
  return (
    <form onSubmit={submit} noValidate>
      <h1 className="auth-title">{t("signIn.title")}</h1>
      {problem && <Banner tone="error">{problem}</Banner>}
      <div className="field">
        <label htmlFor="sign-in-email">{t("signIn.email")}</label>
        <input
          id="sign-in-email"
          type="email"
          autoComplete="username"
          aria-invalid={Boolean(errors.email)}
          aria-describedby={errors.email ? "sign-in-email-error" : undefined}
          {...form.register("email", { required: t("form.required") })}
        />
        {errors.email && (
          <p id="sign-in-email-error" className="field-error">
            {errors.email.message}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="sign-in-password">{t("signIn.password")}</label>
        <input
          id="sign-in-password"
          type="password"
          autoComplete="current-password"
          aria-invalid={Boolean(errors.password)}
          aria-describedby={errors.password ? "sign-in-password-error" : undefined}
          {...form.register("password", { required: t("form.required") })}
        />
        {errors.password && (
          <p id="sign-in-password-error" className="field-error">
            {errors.password.message}
          </p>
        )}
      </div>
      <button type="submit" className="button button-primary button-block" disabled={isSubmitting}>
        {isSubmitting ? t("signIn.signingIn") : t("signIn.submit")}
      </button>
    </form>
  );
}

function signInProblem(error: unknown, t: Translator): string {
  if (error instanceof ConsoleHttpError) {
    if (error.status === 429) return t("signIn.throttled", { seconds: Number(error.body.retryAfter ?? 60) });
    if (error.status === 401) return t("signIn.wrong");
    if (error.code === "operator_disabled") return t("signIn.disabled");
  }
  return t("state.error", { message: (error as Error).message });
}

interface NewPasswordValues {
  newPassword: string;
  repeat: string;
}

/** After a password reset: the temporary password and a new one of the operator's own, in one sign-in. */
function ChangePasswordForm(props: { signIn: SignInValues; onDone: () => void }) {
  const { t } = usePrefs();
  const [problem, setProblem] = useState<string | null>(null);
  const form = useForm<NewPasswordValues>({ defaultValues: { newPassword: "", repeat: "" } });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async ({ newPassword }) => {
    setProblem(null);
    try {
      adoptSession((await sessionApi.signIn(props.signIn.email, props.signIn.password, newPassword))!);
      props.onDone();
    } catch (error) {
      if (error instanceof ConsoleHttpError && error.status === 400) {
        form.setError("newPassword", { message: error.message });
      } else setProblem(signInProblem(error, t));
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <h1 className="auth-title">{t("signIn.changeTitle")}</h1>
      <p className="muted">{t("signIn.changeIntro")}</p>
      {problem && <Banner tone="error">{problem}</Banner>}
      {/* For password managers: the account whose password this is. */}
      <input type="hidden" name="username" autoComplete="username" defaultValue={props.signIn.email} />
      <div className="field">
        <label htmlFor="new-password">{t("signIn.newPassword")}</label>
        <input
          id="new-password"
          type="password"
          autoComplete="new-password"
          aria-invalid={Boolean(errors.newPassword)}
          aria-describedby={["new-password-hint", errors.newPassword ? "new-password-error" : ""]
            .join(" ")
            .trim()}
          {...form.register("newPassword", {
            required: t("form.required"),
            minLength: { value: 12, message: t("setup.passwordShort") },
          })}
        />
        <p id="new-password-hint" className="field-hint">
          {t("setup.passwordHint")}
        </p>
        {errors.newPassword && (
          <p id="new-password-error" className="field-error">
            {errors.newPassword.message}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="repeat-password">{t("signIn.repeatPassword")}</label>
        <input
          id="repeat-password"
          type="password"
          autoComplete="new-password"
          aria-invalid={Boolean(errors.repeat)}
          aria-describedby={errors.repeat ? "repeat-password-error" : undefined}
          {...form.register("repeat", {
            required: t("form.required"),
            validate: (value, values) => value === values.newPassword || t("signIn.mismatch"),
          })}
        />
        {errors.repeat && (
          <p id="repeat-password-error" className="field-error">
            {errors.repeat.message}
          </p>
        )}
      </div>
      <button type="submit" className="button button-primary button-block" disabled={isSubmitting}>
        {isSubmitting ? t("signIn.signingIn") : t("signIn.changeSubmit")}
      </button>
    </form>
  );
}

function SetupForm(props: { onDone: () => void }) {
  const { t } = usePrefs();
  const [problem, setProblem] = useState<string | null>(null);
  const form = useForm<SetupValues>({ defaultValues: { apiKey: "", name: "", email: "", password: "" } });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (values) => {
    setProblem(null);
    try {
      adoptSession((await sessionApi.setUp(values))!);
      props.onDone();
    } catch (error) {
      setProblem(
        error instanceof ConsoleHttpError && error.status === 401
          ? t("setup.badKey")
          : (error as Error).message,
      );
    }
  });

  const field = (
    name: keyof SetupValues,
    label: string,
    type: string,
    autoComplete: string,
    hint?: string,
  ) => (
    <div className="field">
      <label htmlFor={`setup-${name}`}>{label}</label>
      <input
        id={`setup-${name}`}
        type={type}
        autoComplete={autoComplete}
        aria-invalid={Boolean(errors[name])}
        aria-describedby={
          [hint ? `setup-${name}-hint` : "", errors[name] ? `setup-${name}-error` : ""].join(" ").trim() ||
          undefined
        }
        {...form.register(name, {
          required: t("form.required"),
          ...(name === "password" ? { minLength: { value: 12, message: t("setup.passwordShort") } } : {}),
        })}
      />
      {hint && (
        <p id={`setup-${name}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      {errors[name] && (
        <p id={`setup-${name}-error`} className="field-error">
          {errors[name]?.message}
        </p>
      )}
    </div>
  );

  return (
    <form onSubmit={submit} noValidate>
      <h1 className="auth-title">{t("setup.title")}</h1>
      <p className="muted">{t("setup.intro")}</p>
      {problem && <Banner tone="error">{problem}</Banner>}
      {field("apiKey", t("setup.apiKey"), "password", "off", t("setup.apiKeyHint"))}
      {field("name", t("setup.name"), "text", "name")}
      {field("email", t("signIn.email"), "email", "username")}
      {field("password", t("signIn.password"), "password", "new-password", t("setup.passwordHint"))}
      <button type="submit" className="button button-primary button-block" disabled={isSubmitting}>
        {t("setup.submit")}
      </button>
    </form>
  );
}
