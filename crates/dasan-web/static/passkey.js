// Passkeys: a progressive enhancement. Without JavaScript (or without WebAuthn) the passkey
// options stay hidden and every page works with a password and a one-time code instead.
(function () {
  'use strict';
  var supported = window.PublicKeyCredential &&
    typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function' &&
    typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function';
  if (!supported) return;

  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var lang = document.documentElement.lang;
  var messages = {
    en: { working: 'Follow the instructions of your device…', failed: 'That did not work. Try again, or use another way.' },
    ko: { working: '기기의 안내를 따라 주세요…', failed: '완료하지 못했습니다. 다시 시도하거나 다른 방법을 사용하세요.' }
  };
  var text = messages[lang] || messages.en;

  document.querySelectorAll('[data-passkey-option]').forEach(function (el) { el.hidden = false; });

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'accept': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) throw new Error(json.detail || json.title || response.statusText);
        return json;
      });
    });
  }

  function status(container, message) {
    var el = container.querySelector('[data-passkey-status]');
    if (el) el.textContent = message;
  }

  document.querySelectorAll('form[data-passkey="register"]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      status(form, text.working);
      post('/account/passkeys/options').then(function (started) {
        var publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(started.options.publicKey);
        return navigator.credentials.create({ publicKey: publicKey }).then(function (credential) {
          var name = form.querySelector('[name="name"]');
          return post('/account/passkeys', { ceremony: started.ceremony, credential: credential.toJSON(), name: name ? name.value : '' });
        });
      }).then(function (done) {
        window.location.assign(done.next || '/account');
      }).catch(function (error) {
        status(form, text.failed + ' (' + error.message + ')');
      });
    });
  });

  document.querySelectorAll('button[data-passkey="sign-in"]').forEach(function (button) {
    button.addEventListener('click', function () {
      var container = button.parentElement;
      status(container, text.working);
      post('/sign-in/passkey/options').then(function (started) {
        var publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(started.options.publicKey);
        return navigator.credentials.get({ publicKey: publicKey }).then(function (credential) {
          return post('/sign-in/passkey', { ceremony: started.ceremony, credential: credential.toJSON(), 'return': button.getAttribute('data-return') || '' });
        });
      }).then(function (done) {
        window.location.assign(done.next || '/account');
      }).catch(function (error) {
        status(container, text.failed + ' (' + error.message + ')');
      });
    });
  });
})();
