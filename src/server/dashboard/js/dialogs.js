// Confirms an action and asks for the API token when this tab does not have it yet.
import { act, ApiError, token } from "./api.js";

const $ = (id) => document.getElementById(id);

/**
 * Runs `action` on `name`. Shows the dialog when `confirm` is given or no token is stored;
 * a refused token is forgotten and asked for again. Resolves to the new summary, or null if cancelled.
 */
export async function runAction(name, action, { confirm, body } = {}) {
  if (!confirm && token.get()) {
    try {
      return await act(name, action, body);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) throw err;
      token.clear();
    }
  }
  return dialog(name, action, body, confirm ?? { title: `${label(action)} ${name}`, text: "", button: label(action) });
}

function label(action) {
  return action.charAt(0).toUpperCase() + action.slice(1);
}

function dialog(name, action, body, confirm) {
  const dlg = $("action-dialog");
  const form = $("action-form");
  const field = $("token-field");
  const input = $("token-input");
  const error = $("action-error");
  const ok = $("action-confirm");
  $("action-title").textContent = confirm.title;
  $("action-body").textContent = confirm.text;
  $("action-body").hidden = !confirm.text;
  ok.textContent = confirm.button;
  ok.classList.toggle("danger", Boolean(confirm.danger));
  error.hidden = true;
  input.value = "";
  field.hidden = Boolean(token.get());
  input.required = !field.hidden;

  return new Promise((resolve, reject) => {
    const finish = (value, err) => {
      form.removeEventListener("submit", onSubmit);
      $("action-cancel").removeEventListener("click", onCancel);
      dlg.removeEventListener("cancel", onCancel);
      if (dlg.open) dlg.close();
      if (err) reject(err);
      else resolve(value);
    };
    const onCancel = (e) => {
      e.preventDefault();
      finish(null);
    };
    const onSubmit = async (e) => {
      e.preventDefault();
      if (!field.hidden) {
        const t = input.value.trim();
        if (!t) {
          showError("Enter the API token.");
          return;
        }
        token.set(t);
      }
      ok.disabled = true;
      try {
        finish(await act(name, action, body));
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          token.clear();
          field.hidden = false;
          input.required = true;
          input.value = "";
          showError("The daemon refused this token. Check it and try again.");
          input.focus();
        } else if (err instanceof ApiError) {
          showError(`${err.message} (${err.code})`);
        } else {
          finish(null, err);
        }
      } finally {
        ok.disabled = false;
      }
    };
    const showError = (text) => {
      error.textContent = text;
      error.hidden = false;
    };
    form.addEventListener("submit", onSubmit);
    $("action-cancel").addEventListener("click", onCancel);
    dlg.addEventListener("cancel", onCancel);
    dlg.showModal();
    (field.hidden ? ok : input).focus();
  });
}
