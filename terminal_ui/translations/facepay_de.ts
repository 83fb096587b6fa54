<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>Vision</name>
    <message>
        <source>Look at the camera</source>
        <translation>Bitte in die Kamera schauen</translation>
    </message>
    <message>
        <source>Move closer</source>
        <translation>Näher kommen</translation>
    </message>
    <message>
        <source>Please step back a little</source>
        <translation>Bitte etwas zurücktreten</translation>
    </message>
    <message>
        <source>Face the camera</source>
        <translation>Gesicht zur Kamera drehen</translation>
    </message>
    <message>
        <source>Hold still</source>
        <translation>Stillhalten</translation>
    </message>
    <message>
        <source>Too dark: step into the light</source>
        <translation>Zu dunkel: bitte ins Licht treten</translation>
    </message>
    <message>
        <source>Too bright: step out of the glare</source>
        <translation>Zu hell: bitte aus dem Blendlicht treten</translation>
    </message>
    <message>
        <source>One person at a time, please</source>
        <translation>Bitte nur eine Person</translation>
    </message>
    <message>
        <source>Turn your head left</source>
        <translation>Kopf nach links</translation>
    </message>
    <message>
        <source>Turn your head right</source>
        <translation>Kopf nach rechts</translation>
    </message>
    <message>
        <source>Hold on, checking…</source>
        <translation>Einen Moment, wird geprüft…</translation>
    </message>
    <message>
        <source>We can&apos;t confirm you with a mask on — enter your PIN</source>
        <translation>Mit Maske können wir Sie nicht bestätigen – bitte PIN eingeben</translation>
    </message>
    <message>
        <source>We couldn&apos;t confirm it&apos;s you — enter your PIN</source>
        <translation>Wir konnten Sie nicht bestätigen – bitte PIN eingeben</translation>
    </message>
    <message>
        <source>We couldn&apos;t tell you apart from another shopper — enter your PIN</source>
        <translation>Wir konnten Sie nicht sicher von einem anderen Kunden unterscheiden – bitte PIN eingeben</translation>
    </message>
    <message>
        <source>We don&apos;t recognise this face — enter your customer number and PIN</source>
        <translation>Dieses Gesicht kennen wir nicht – bitte Kundennummer und PIN eingeben</translation>
    </message>
    <message>
        <source>This doesn&apos;t look like a live face. Please ask the cashier</source>
        <translation>Das sieht nicht nach einem echten Gesicht aus. Bitte wenden Sie sich an die Kasse</translation>
    </message>
    <message>
        <source>We couldn&apos;t verify the head movement. Please ask the cashier</source>
        <translation>Wir konnten die Kopfbewegung nicht prüfen. Bitte wenden Sie sich an die Kasse</translation>
    </message>
    <message>
        <source>A different face appeared. Please start again</source>
        <translation>Ein anderes Gesicht ist erschienen. Bitte neu beginnen</translation>
    </message>
    <message>
        <source>Several faces are in view. One person at a time, please</source>
        <translation>Mehrere Gesichter sind im Bild. Bitte nur eine Person</translation>
    </message>
    <message>
        <source>No face seen. Please ask the cashier</source>
        <translation>Kein Gesicht erkannt. Bitte wenden Sie sich an die Kasse</translation>
    </message>
    <message>
        <source>That took too long. Please try again</source>
        <translation>Das hat zu lange gedauert. Bitte erneut versuchen</translation>
    </message>
</context>
<context>
    <name>Wording</name>
    <message>
        <source>Payment status unknown</source>
        <translation>Zahlungsstatus unbekannt</translation>
    </message>
    <message>
        <source>We got no answer from the payment service. Please ask the cashier to check before paying again.</source>
        <translation>Der Zahlungsdienst hat nicht geantwortet. Bitte lassen Sie die Kasse prüfen, bevor Sie erneut bezahlen.</translation>
    </message>
    <message>
        <source>We didn&apos;t see a face for a while. Tap Pay to try again.</source>
        <translation>Wir haben eine Weile kein Gesicht gesehen. Tippen Sie auf „Mit Gesicht zahlen“, um es erneut zu versuchen.</translation>
    </message>
    <message>
        <source>Payment not finished. Tap Pay to start again.</source>
        <translation>Zahlung nicht abgeschlossen. Tippen Sie auf „Mit Gesicht zahlen“, um neu zu beginnen.</translation>
    </message>
    <message>
        <source>The camera isn&apos;t available. Enter your customer number, then your PIN.</source>
        <translation>Die Kamera ist nicht verfügbar. Geben Sie Ihre Kundennummer und dann Ihre PIN ein.</translation>
    </message>
    <message>
        <source>Enter your customer number, then your PIN.</source>
        <translation>Geben Sie Ihre Kundennummer und dann Ihre PIN ein.</translation>
    </message>
    <message>
        <source>This PIN fits more than one account. Enter your customer number, then your PIN.</source>
        <translation>Diese PIN passt zu mehreren Konten. Geben Sie Ihre Kundennummer und dann Ihre PIN ein.</translation>
    </message>
    <message>
        <source>For this amount, please confirm with your PIN.</source>
        <translation>Bitte bestätigen Sie diesen Betrag mit Ihrer PIN.</translation>
    </message>
    <message>
        <source>Wrong PIN. Please try again.</source>
        <translation>Falsche PIN. Bitte versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Enter your PIN</source>
        <translation>Geben Sie Ihre PIN ein</translation>
    </message>
    <message>
        <source>Not you? Use your customer number</source>
        <translation>Nicht Sie? Kundennummer verwenden</translation>
    </message>
    <message>
        <source>Payment not possible</source>
        <translation>Zahlung nicht möglich</translation>
    </message>
    <message>
        <source>Payment declined</source>
        <translation>Zahlung abgelehnt</translation>
    </message>
    <message>
        <source>PIN locked</source>
        <translation>PIN gesperrt</translation>
    </message>
    <message>
        <source>Payment not completed</source>
        <translation>Zahlung nicht abgeschlossen</translation>
    </message>
    <message>
        <source>Payment approved</source>
        <translation>Zahlung erfolgreich</translation>
    </message>
    <message>
        <source>Thank you.</source>
        <translation>Vielen Dank.</translation>
    </message>
    <message>
        <source>Thank you, {name}.</source>
        <translation>Vielen Dank, {name}.</translation>
    </message>
    <message>
        <source>Sale cancelled.</source>
        <translation>Verkauf abgebrochen.</translation>
    </message>
    <message>
        <source>Face</source>
        <translation>Gesicht</translation>
    </message>
    <message>
        <source>Face + PIN</source>
        <translation>Gesicht + PIN</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Not enough funds on your account. No money was taken.</source>
        <translation>Ihr Guthaben reicht nicht aus. Es wurde nichts abgebucht.</translation>
    </message>
    <message>
        <source>This payment is above your account&apos;s limit. No money was taken.</source>
        <translation>Diese Zahlung übersteigt das Limit Ihres Kontos. Es wurde nichts abgebucht.</translation>
    </message>
    <message>
        <source>Your account is blocked. Please ask the cashier.</source>
        <translation>Ihr Konto ist gesperrt. Bitte wenden Sie sich an die Kasse.</translation>
    </message>
    <message>
        <source>We don&apos;t know this customer number. No money was taken.</source>
        <translation>Diese Kundennummer kennen wir nicht. Es wurde nichts abgebucht.</translation>
    </message>
    <message>
        <source>Too many wrong PINs: your PIN is locked. Please ask the cashier.</source>
        <translation>Zu viele falsche PINs: Ihre PIN ist gesperrt. Bitte wenden Sie sich an die Kasse.</translation>
    </message>
    <message>
        <source>Wrong PIN. No money was taken.</source>
        <translation>Falsche PIN. Es wurde nichts abgebucht.</translation>
    </message>
    <message>
        <source>The payment service can&apos;t be reached. Please try again or ask the cashier.</source>
        <translation>Der Zahlungsdienst ist nicht erreichbar. Bitte versuchen Sie es erneut oder wenden Sie sich an die Kasse.</translation>
    </message>
    <message>
        <source>{message}. No money was taken.</source>
        <translation>{message}. Es wurde nichts abgebucht.</translation>
    </message>
    <message>
        <source>Payment declined. No money was taken.</source>
        <translation>Zahlung abgelehnt. Es wurde nichts abgebucht.</translation>
    </message>
    <message>
        <source>Please wait…</source>
        <translation>Bitte warten…</translation>
    </message>
    <message>
        <source>Processing payment</source>
        <translation>Zahlung wird verarbeitet</translation>
    </message>
    <message>
        <source>Checking cashier PIN</source>
        <translation>Kassierer-PIN wird geprüft</translation>
    </message>
    <message>
        <source>Refunding</source>
        <translation>Erstattung läuft</translation>
    </message>
    <message>
        <source>Enrolling</source>
        <translation>Registrierung läuft</translation>
    </message>
    <message>
        <source>Checking the account and storing the face templates…</source>
        <translation>Konto wird geprüft und Gesichtsvorlagen werden gespeichert…</translation>
    </message>
    <message>
        <source>Erasing</source>
        <translation>Löschen läuft</translation>
    </message>
    <message>
        <source>Removing face templates, consent and face link…</source>
        <translation>Gesichtsvorlagen, Einwilligung und Gesichtsverknüpfung werden entfernt…</translation>
    </message>
    <message>
        <source>Pick your cashier id or type it; then your own PIN.</source>
        <translation>Wählen oder tippen Sie Ihre Kassierer-ID, dann Ihre eigene PIN.</translation>
    </message>
    <message>
        <source>Terminal locked. A cashier signs in to unlock it.</source>
        <translation>Terminal gesperrt. Zum Entsperren meldet sich ein Kassierer an.</translation>
    </message>
    <message>
        <source>PIN of cashier {cashier}</source>
        <translation>PIN von Kassierer {cashier}</translation>
    </message>
    <message>
        <source>Terminal locked. Cashier PIN to unlock.</source>
        <translation>Terminal gesperrt. Zum Entsperren Kassierer-PIN eingeben.</translation>
    </message>
    <message>
        <source>Staff only.</source>
        <translation>Nur für Personal.</translation>
    </message>
    <message>
        <source>No answer from the payment service. Try again.</source>
        <translation>Keine Antwort vom Zahlungsdienst. Bitte erneut versuchen.</translation>
    </message>
    <message>
        <source>The payment service can&apos;t be reached to check the PIN.</source>
        <translation>Der Zahlungsdienst ist nicht erreichbar, die PIN kann nicht geprüft werden.</translation>
    </message>
    <message>
        <source>Cashier {cashier} is locked. Another cashier can sign in.</source>
        <translation>Kassierer {cashier} ist gesperrt. Ein anderer Kassierer kann sich anmelden.</translation>
    </message>
    <message>
        <source>Cashier {cashier} is locked for {minutes} more {unit}. Another cashier can sign in.</source>
        <translation>Kassierer {cashier} ist noch {minutes} {unit} gesperrt. Ein anderer Kassierer kann sich anmelden.</translation>
    </message>
    <message>
        <source>minute</source>
        <translation>Minute</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>Minuten</translation>
    </message>
    <message>
        <source>No cashier {cashier} at this shop. Check the id.</source>
        <translation>In diesem Geschäft gibt es keinen Kassierer {cashier}. Bitte die ID prüfen.</translation>
    </message>
    <message>
        <source>Too many wrong PINs at this terminal: staff sign-in is paused{wait}.</source>
        <translation>Zu viele falsche PINs an diesem Terminal: die Personalanmeldung ist pausiert{wait}.</translation>
    </message>
    <message>
        <source> for {minutes} min</source>
        <translation> für {minutes} Min.</translation>
    </message>
    <message>
        <source>Wrong PIN for cashier {cashier}.</source>
        <translation>Falsche PIN für Kassierer {cashier}.</translation>
    </message>
    <message>
        <source>The payment service can&apos;t be reached.</source>
        <translation>Der Zahlungsdienst ist nicht erreichbar.</translation>
    </message>
    <message>
        <source>No answer to the refund. Check today&apos;s totals before trying again.</source>
        <translation>Keine Antwort zur Erstattung. Prüfen Sie die heutigen Summen, bevor Sie es erneut versuchen.</translation>
    </message>
    <message>
        <source>Last payment outcome unknown: check it before a new attempt.</source>
        <translation>Ergebnis der letzten Zahlung unbekannt: vor einem neuen Versuch prüfen.</translation>
    </message>
    <message>
        <source>Refunded {amount} (transaction {transfer}).</source>
        <translation>{amount} erstattet (Buchung {transfer}).</translation>
    </message>
    <message>
        <source>Refund refused: {message}</source>
        <translation>Erstattung abgelehnt: {message}</translation>
    </message>
    <message>
        <source>Payments: {count}, {amount}</source>
        <translation>Zahlungen: {count}, {amount}</translation>
    </message>
    <message>
        <source>Refunds: {count}, {amount}</source>
        <translation>Erstattungen: {count}, {amount}</translation>
    </message>
    <message>
        <source>Nothing was stored.</source>
        <translation>Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>Nothing was erased.</source>
        <translation>Es wurde nichts gelöscht.</translation>
    </message>
    <message>
        <source>Enrolment stopped: no customer number. Nothing was stored.</source>
        <translation>Registrierung beendet: keine Kundennummer. Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>Enrolment stopped: no PIN or enrolment code typed. Nothing was stored.</source>
        <translation>Registrierung beendet: keine PIN und kein Registrierungscode eingegeben. Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>Enrolment stopped: no enrolment code typed. Nothing was stored.</source>
        <translation>Registrierung beendet: kein Registrierungscode eingegeben. Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>Enrolment stopped: consent not given in time. Nothing was stored.</source>
        <translation>Registrierung beendet: Einwilligung nicht rechtzeitig erteilt. Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>Enrolment stopped: not enough good pictures of the face in time. Nothing was stored.</source>
        <translation>Registrierung beendet: nicht rechtzeitig genug gute Gesichtsbilder. Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>Enrolment stopped: no PIN chosen. Nothing was stored.</source>
        <translation>Registrierung beendet: keine PIN gewählt. Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>Enrolment stopped: PIN not repeated. Nothing was stored.</source>
        <translation>Registrierung beendet: PIN nicht wiederholt. Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>No answer to the enrolment. Check with `facepay customer list` before enrolling again.</source>
        <translation>Keine Antwort zur Registrierung. Vor einer neuen Registrierung mit `facepay customer list` prüfen.</translation>
    </message>
    <message>
        <source>Erasure stopped: no customer number. Nothing was erased.</source>
        <translation>Löschung beendet: keine Kundennummer. Es wurde nichts gelöscht.</translation>
    </message>
    <message>
        <source>Erasure not confirmed. Nothing was erased.</source>
        <translation>Löschung nicht bestätigt. Es wurde nichts gelöscht.</translation>
    </message>
    <message>
        <source>Erasure stopped: no PIN typed. Nothing was erased.</source>
        <translation>Löschung beendet: keine PIN eingegeben. Es wurde nichts gelöscht.</translation>
    </message>
    <message>
        <source>No answer to the erasure. Run it again: erasing twice is harmless.</source>
        <translation>Keine Antwort zur Löschung. Bitte wiederholen: doppeltes Löschen schadet nicht.</translation>
    </message>
    <message>
        <source>Enrolment cancelled. Nothing was stored.</source>
        <translation>Registrierung abgebrochen. Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>The shopper declined: nothing was stored.</source>
        <translation>Der Kunde hat abgelehnt: es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>Erasure cancelled. Nothing was erased.</source>
        <translation>Löschung abgebrochen. Es wurde nichts gelöscht.</translation>
    </message>
    <message>
        <source>The camera isn&apos;t available: enrolment stopped. Nothing was stored.</source>
        <translation>Die Kamera ist nicht verfügbar: Registrierung beendet. Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>Enrol a shopper: type their customer number.</source>
        <translation>Kunden registrieren: Kundennummer eingeben.</translation>
    </message>
    <message>
        <source>Erase a shopper&apos;s face data: type their customer number.</source>
        <translation>Gesichtsdaten eines Kunden löschen: Kundennummer eingeben.</translation>
    </message>
    <message>
        <source>Account {subject}</source>
        <translation>Konto {subject}</translation>
    </message>
    <message>
        <source>Type this account&apos;s PIN to show it is yours; it stays the same. New account or forgotten PIN: use the shop&apos;s enrolment code.</source>
        <translation>Geben Sie die PIN dieses Kontos ein, um zu zeigen, dass es Ihres ist; sie bleibt gleich. Neues Konto oder PIN vergessen: nutzen Sie den Registrierungscode des Geschäfts.</translation>
    </message>
    <message>
        <source>No PIN? Enrolment code</source>
        <translation>Keine PIN? Registrierungscode</translation>
    </message>
    <message>
        <source>Enrolment code</source>
        <translation>Registrierungscode</translation>
    </message>
    <message>
        <source>Type the {digits}-digit code the shop gave you. Then you choose your PIN.</source>
        <translation>Geben Sie den {digits}-stelligen Code ein, den Sie vom Geschäft erhalten haben. Danach wählen Sie Ihre PIN.</translation>
    </message>
    <message>
        <source>An enrolment code has {digits} digits.</source>
        <translation>Ein Registrierungscode hat {digits} Stellen.</translation>
    </message>
    <message>
        <source>Choose your PIN</source>
        <translation>Wählen Sie Ihre PIN</translation>
    </message>
    <message>
        <source>4 to 12 digits. You type it when your face alone can&apos;t confirm a payment.</source>
        <translation>4 bis 12 Ziffern. Sie geben sie ein, wenn Ihr Gesicht allein eine Zahlung nicht bestätigen kann.</translation>
    </message>
    <message>
        <source>Repeat your PIN</source>
        <translation>PIN wiederholen</translation>
    </message>
    <message>
        <source>Type the same PIN again.</source>
        <translation>Geben Sie dieselbe PIN noch einmal ein.</translation>
    </message>
    <message>
        <source>The two PINs were different. Choose a PIN again.</source>
        <translation>Die beiden PINs waren verschieden. Bitte wählen Sie erneut eine PIN.</translation>
    </message>
    <message>
        <source>Type this account&apos;s PIN to erase your face data.</source>
        <translation>Geben Sie die PIN dieses Kontos ein, um Ihre Gesichtsdaten zu löschen.</translation>
    </message>
    <message>
        <source>Customer {customer} enrolled ({templates} templates, {pin}).</source>
        <translation>Kunde {customer} registriert ({templates} Vorlagen, {pin}).</translation>
    </message>
    <message>
        <source>new PIN set</source>
        <translation>neue PIN festgelegt</translation>
    </message>
    <message>
        <source>the account&apos;s PIN stays</source>
        <translation>die PIN des Kontos bleibt</translation>
    </message>
    <message>
        <source> for {minutes} more {unit}</source>
        <translation> für weitere {minutes} {unit}</translation>
    </message>
    <message>
        <source> ({left} tries left)</source>
        <translation> (noch {left} Versuche)</translation>
    </message>
    <message>
        <source>Enrolment refused: {reason}.</source>
        <translation>Registrierung abgelehnt: {reason}.</translation>
    </message>
    <message>
        <source>Enrolment refused: wrong PIN for account {subject}{left}.</source>
        <translation>Registrierung abgelehnt: falsche PIN für Konto {subject}{left}.</translation>
    </message>
    <message>
        <source>Enrolment refused: the PIN of account {subject} is locked{wait}.</source>
        <translation>Registrierung abgelehnt: die PIN von Konto {subject} ist gesperrt{wait}.</translation>
    </message>
    <message>
        <source>Enrolment refused: the enrolment code is wrong, used or expired. Ask for a new code.</source>
        <translation>Registrierung abgelehnt: der Registrierungscode ist falsch, verbraucht oder abgelaufen. Bitte einen neuen Code anfordern.</translation>
    </message>
    <message>
        <source>Enrolment refused: account {subject} has no PIN yet. The shopper needs an enrolment code from the shop.</source>
        <translation>Registrierung abgelehnt: Konto {subject} hat noch keine PIN. Der Kunde braucht einen Registrierungscode vom Geschäft.</translation>
    </message>
    <message>
        <source>Enrolment refused: too many wrong PINs at this terminal, paused{wait}.</source>
        <translation>Registrierung abgelehnt: zu viele falsche PINs an diesem Terminal, pausiert{wait}.</translation>
    </message>
    <message>
        <source>Enrolment refused: the cashier PIN was not accepted. Sign in again.</source>
        <translation>Registrierung abgelehnt: die Kassierer-PIN wurde nicht akzeptiert. Bitte erneut anmelden.</translation>
    </message>
    <message>
        <source>Erasure refused: {reason}.</source>
        <translation>Löschung abgelehnt: {reason}.</translation>
    </message>
    <message>
        <source>Erasure refused: wrong PIN for account {subject}.</source>
        <translation>Löschung abgelehnt: falsche PIN für Konto {subject}.</translation>
    </message>
    <message>
        <source>Erasure refused: the PIN of account {subject} is locked.</source>
        <translation>Löschung abgelehnt: die PIN von Konto {subject} ist gesperrt.</translation>
    </message>
    <message>
        <source>Erasure refused: only the shopper&apos;s PIN or a cashier of the shop where the face was enrolled can erase it.</source>
        <translation>Löschung abgelehnt: nur die PIN des Kunden oder ein Kassierer des Geschäfts, in dem das Gesicht registriert wurde, kann es löschen.</translation>
    </message>
    <message>
        <source>Face templates removed: {count}</source>
        <translation>Entfernte Gesichtsvorlagen: {count}</translation>
    </message>
    <message>
        <source>Consent record and face link removed.</source>
        <translation>Einwilligung und Gesichtsverknüpfung entfernt.</translation>
    </message>
    <message>
        <source>Terminal audit entry: {hash}…</source>
        <translation>Prüfeintrag des Terminals: {hash}…</translation>
    </message>
    <message>
        <source>Ledger audit entry: {hash}…</source>
        <translation>Prüfeintrag des Zahlungsdienstes: {hash}…</translation>
    </message>
    <message>
        <source>Ledger: not confirmed.</source>
        <translation>Zahlungsdienst: nicht bestätigt.</translation>
    </message>
    <message>
        <source>The account, its money and its PIN stay. Payment records are kept without face data.</source>
        <translation>Das Konto, sein Guthaben und seine PIN bleiben. Zahlungsbelege bleiben ohne Gesichtsdaten erhalten.</translation>
    </message>
    <message>
        <source>Please use another checkout. Staff can reopen this one.</source>
        <translation>Bitte nutzen Sie eine andere Kasse. Das Personal kann diese wieder öffnen.</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Weiter</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Use PIN</source>
        <translation>PIN verwenden</translation>
    </message>
    <message>
        <source>Staff (F2)</source>
        <translation>Personal (F2)</translation>
    </message>
    <message>
        <source>Erase</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Language: {language}</source>
        <translation>Sprache: {language}</translation>
    </message>
    <message>
        <source>Staff menu</source>
        <translation>Personalmenü</translation>
    </message>
    <message>
        <source>More time</source>
        <translation>Mehr Zeit</translation>
    </message>
    <message>
        <source>{seconds} s left</source>
        <translation>noch {seconds} s</translation>
    </message>
    <message>
        <source>Sound guide: on</source>
        <translation>Tonhilfe: an</translation>
    </message>
    <message>
        <source>Sound guide: off</source>
        <translation>Tonhilfe: aus</translation>
    </message>
    <message>
        <source>{count} digits typed</source>
        <translation>{count} Ziffern eingegeben</translation>
    </message>
    <message>
        <source>Large text (F3)</source>
        <translation>Große Schrift (F3)</translation>
    </message>
    <message>
        <source>Payment result</source>
        <translation>Zahlungsergebnis</translation>
    </message>
    <message>
        <source>Camera picture</source>
        <translation>Kamerabild</translation>
    </message>
    <message>
        <source>Face payment sign</source>
        <translation>Zeichen für Zahlen mit Gesicht</translation>
    </message>
    <message>
        <source>Number pad</source>
        <translation>Ziffernblock</translation>
    </message>
    <message>
        <source>Typed entry</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <source>Receipt QR code</source>
        <translation>QR-Code des Belegs</translation>
    </message>
    <message>
        <source>Customer {customer}</source>
        <translation>Kunde {customer}</translation>
    </message>
    <message>
        <source>Paying {amount}</source>
        <translation>Zu zahlen: {amount}</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Willkommen</translation>
    </message>
    <message>
        <source>Pay with your face, or with your customer number and PIN.
The cashier will start your payment.</source>
        <translation>Bezahlen Sie mit Ihrem Gesicht oder mit Kundennummer und PIN.
Die Kasse startet Ihre Zahlung.</translation>
    </message>
    <message>
        <source>Amount to pay</source>
        <translation>Zu zahlender Betrag</translation>
    </message>
    <message>
        <source>Pay with face</source>
        <translation>Mit Gesicht zahlen</translation>
    </message>
    <message>
        <source>Paying</source>
        <translation>Zahlung</translation>
    </message>
    <message>
        <source>Use PIN instead</source>
        <translation>Stattdessen PIN verwenden</translation>
    </message>
    <message>
        <source>Mask on? That&apos;s fine: we may ask for your PIN</source>
        <translation>Maske auf? Kein Problem: eventuell fragen wir nach Ihrer PIN</translation>
    </message>
    <message>
        <source>One more check</source>
        <translation>Noch eine Prüfung</translation>
    </message>
    <message>
        <source>Slowly, then look back at the camera</source>
        <translation>Langsam, dann wieder in die Kamera schauen</translation>
    </message>
    <message>
        <source>Time is up</source>
        <translation>Die Zeit ist abgelaufen</translation>
    </message>
    <message>
        <source>Not you? Tap Cancel.</source>
        <translation>Nicht Sie? Tippen Sie auf „Abbrechen“.</translation>
    </message>
    <message>
        <source>Pay</source>
        <translation>Bezahlen</translation>
    </message>
    <message>
        <source>Pay {amount}?</source>
        <translation>{amount} bezahlen?</translation>
    </message>
    <message>
        <source>Pay {amount} as {customer}?</source>
        <translation>{amount} als {customer} bezahlen?</translation>
    </message>
    <message>
        <source>Amount: {amount}</source>
        <translation>Betrag: {amount}</translation>
    </message>
    <message>
        <source>Date: {when}</source>
        <translation>Datum: {when}</translation>
    </message>
    <message>
        <source>Transaction: {transfer}</source>
        <translation>Buchung: {transfer}</translation>
    </message>
    <message>
        <source>Customer: {customer}</source>
        <translation>Kunde: {customer}</translation>
    </message>
    <message>
        <source>Confirmed by: {method}</source>
        <translation>Bestätigt mit: {method}</translation>
    </message>
    <message>
        <source>Stored offline, sent when the network is back</source>
        <translation>Offline gespeichert, wird gesendet, sobald das Netz wieder da ist</translation>
    </message>
    <message>
        <source>Paying at {merchant}</source>
        <translation>Zahlung bei {merchant}</translation>
    </message>
    <message>
        <source>Customer number</source>
        <translation>Kundennummer</translation>
    </message>
    <message>
        <source>1 attempt left before the PIN is locked.</source>
        <translation>Noch 1 Versuch, bevor die PIN gesperrt wird.</translation>
    </message>
    <message>
        <source>{left} attempts left.</source>
        <translation>Noch {left} Versuche.</translation>
    </message>
    <message>
        <source>Too many wrong PINs: wait {seconds} s before the next try.</source>
        <translation>Zu viele falsche PINs: bitte {seconds} s bis zum nächsten Versuch warten.</translation>
    </message>
    <message>
        <source>Call the cashier</source>
        <translation>Kasse rufen</translation>
    </message>
    <message>
        <source>Scan for your receipt</source>
        <translation>Scannen für Ihren Beleg</translation>
    </message>
    <message>
        <source>Receipt · {merchant}</source>
        <translation>Beleg · {merchant}</translation>
    </message>
    <message>
        <source>New sale</source>
        <translation>Neuer Verkauf</translation>
    </message>
    <message>
        <source>Type the amount to pay</source>
        <translation>Zu zahlenden Betrag eingeben</translation>
    </message>
    <message>
        <source>Staff sign-in</source>
        <translation>Personalanmeldung</translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation>Kasse</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Exit (Esc)</source>
        <translation>Verlassen (Esc)</translation>
    </message>
    <message>
        <source>Open sale</source>
        <translation>Verkauf öffnen</translation>
    </message>
    <message>
        <source>Cancel sale</source>
        <translation>Verkauf abbrechen</translation>
    </message>
    <message>
        <source>Journal and ledger agree.</source>
        <translation>Kassenjournal und Zahlungsdienst stimmen überein.</translation>
    </message>
    <message>
        <source>Journal and ledger do not agree: the merchant&apos;s report (facepay report) shows where.</source>
        <translation>Kassenjournal und Zahlungsdienst stimmen nicht überein: Der Tagesbericht (facepay report) zeigt, wo.</translation>
    </message>
    <message>
        <source>Not settled yet: some payments are still open; the kiosk keeps trying.</source>
        <translation>Noch nicht abgeschlossen: Einige Zahlungen sind noch offen; das Terminal versucht es weiter.</translation>
    </message>
    <message>
        <source>This amount can&apos;t be paid at this checkout. No money was taken.</source>
        <translation>Dieser Betrag kann an dieser Kasse nicht bezahlt werden. Es wurde kein Geld abgebucht.</translation>
    </message>
    <message>
        <source>Voided {amount} (transaction {transfer}).</source>
        <translation>{amount} storniert (Vorgang {transfer}).</translation>
    </message>
    <message>
        <source>Refund or void a payment</source>
        <translation>Erstatten oder stornieren</translation>
    </message>
    <message>
        <source>Today&apos;s payments at this checkout, newest first. Pick one.</source>
        <translation>Heutige Zahlungen an dieser Kasse, neueste zuerst. Bitte eine wählen.</translation>
    </message>
    <message>
        <source>Loading today&apos;s payments…</source>
        <translation>Heutige Zahlungen werden geladen…</translation>
    </message>
    <message>
        <source>No payments today at this checkout.</source>
        <translation>Heute keine Zahlungen an dieser Kasse.</translation>
    </message>
    <message>
        <source>Today&apos;s payments could not be read.</source>
        <translation>Die heutigen Zahlungen konnten nicht gelesen werden.</translation>
    </message>
    <message>
        <source>Nothing left to refund on this payment: it was refunded or voided in full.</source>
        <translation>Bei dieser Zahlung ist nichts mehr zu erstatten: Sie wurde vollständig erstattet oder storniert.</translation>
    </message>
    <message>
        <source>{time}   {amount}   {shopper}</source>
        <translation>{time}   {amount}   {shopper}</translation>
    </message>
    <message>
        <source>   ({left} left)</source>
        <translation>   (noch {left})</translation>
    </message>
    <message>
        <source>   (refunded)</source>
        <translation>   (erstattet)</translation>
    </message>
    <message>
        <source>customer {customer}</source>
        <translation>Kunde {customer}</translation>
    </message>
    <message>
        <source>Refund to {shopper} ({time})</source>
        <translation>Erstattung an {shopper} ({time})</translation>
    </message>
    <message>
        <source>Type the amount to give back, up to {left}</source>
        <translation>Betrag der Erstattung eingeben, höchstens {left}</translation>
    </message>
    <message>
        <source>Only {left} is left to refund on this payment.</source>
        <translation>Bei dieser Zahlung sind nur noch {left} erstattbar.</translation>
    </message>
    <message>
        <source>Refund {amount} to {shopper}?</source>
        <translation>{amount} an {shopper} erstatten?</translation>
    </message>
    <message>
        <source>Payment of {time}, {amount}, transaction {transfer}. Nothing is sent before you confirm.</source>
        <translation>Zahlung vom {time}, {amount}, Vorgang {transfer}. Erst nach Ihrer Bestätigung wird etwas gesendet.</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>Erstatten</translation>
    </message>
    <message>
        <source>Void all {amount}</source>
        <translation>Alles stornieren ({amount})</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <source>Scan receipt</source>
        <translation>Beleg scannen</translation>
    </message>
    <message>
        <source>Scan the shopper&apos;s receipt</source>
        <translation>Kundenbeleg scannen</translation>
    </message>
    <message>
        <source>Hold the QR code of the receipt (paper or phone) up to the camera.</source>
        <translation>Halten Sie den QR-Code des Belegs (Papier oder Telefon) vor die Kamera.</translation>
    </message>
    <message>
        <source>That QR code is not a payment receipt.</source>
        <translation>Dieser QR-Code ist kein Zahlungsbeleg.</translation>
    </message>
    <message>
        <source>That receipt was not issued by this checkout. Refund it where it was paid.</source>
        <translation>Dieser Beleg stammt nicht von dieser Kasse. Erstatten Sie ihn dort, wo bezahlt wurde.</translation>
    </message>
    <message>
        <source>That receipt is not one of today&apos;s payments at this checkout.</source>
        <translation>Dieser Beleg gehört zu keiner heutigen Zahlung an dieser Kasse.</translation>
    </message>
    <message>
        <source>No receipt QR code was seen. Try again, or pick the payment from the list.</source>
        <translation>Kein QR-Code eines Belegs erkannt. Versuchen Sie es erneut oder wählen Sie die Zahlung aus der Liste.</translation>
    </message>
    <message>
        <source>The camera is not available. Pick the payment from the list.</source>
        <translation>Die Kamera ist nicht verfügbar. Wählen Sie die Zahlung aus der Liste.</translation>
    </message>
    <message>
        <source>Enrolment stopped: no name typed. Nothing was stored.</source>
        <translation>Registrierung beendet: kein Name eingegeben. Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source>Your name at the checkout</source>
        <translation>Ihr Name an der Kasse</translation>
    </message>
    <message>
        <source>Type your first name and the first letter of your last name, e.g. Anna K. The checkout asks &quot;Pay … as Anna K.?&quot; so you can tell it is you.</source>
        <translation>Geben Sie Ihren Vornamen und den ersten Buchstaben Ihres Nachnamens ein, z.&#xa0;B. Anna&#xa0;K. Die Kasse fragt dann „… als Anna K. bezahlen?“, damit Sie sehen, dass Sie gemeint sind.</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>Leerzeichen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Face payment out of order</source>
        <translation>Bezahlen mit Gesicht außer Betrieb</translation>
    </message>
    <message>
        <source>You can still pay with your customer number and PIN. The cashier starts your payment.</source>
        <translation>Sie können weiter mit Kundennummer und PIN bezahlen. Die Kassenkraft startet Ihre Zahlung.</translation>
    </message>
    <message>
        <source>Checkout out of service</source>
        <translation>Kasse außer Betrieb</translation>
    </message>
    <message>
        <source>Payments can&apos;t be made here right now. Please use another checkout.</source>
        <translation>Hier kann gerade nicht bezahlt werden. Bitte nutzen Sie eine andere Kasse.</translation>
    </message>
    <message>
        <source>The camera isn&apos;t working: check its cable, then restart the kiosk.</source>
        <translation>Die Kamera funktioniert nicht: Kabel prüfen, dann das Terminal neu starten.</translation>
    </message>
    <message>
        <source>The payment service can&apos;t be reached: check the network.</source>
        <translation>Der Zahlungsdienst ist nicht erreichbar: Netzwerk prüfen.</translation>
    </message>
    <message>
        <source>For staff</source>
        <translation>Für das Personal</translation>
    </message>
    <message>
        <source>No camera: face payment is off. Shoppers pay with customer number and PIN.</source>
        <translation>Keine Kamera: Bezahlen mit Gesicht ist aus. Kunden zahlen mit Kundennummer und PIN.</translation>
    </message>
    <message>
        <source>The payment service can&apos;t be reached: no payment can be made here.</source>
        <translation>Der Zahlungsdienst ist nicht erreichbar: Hier kann nicht bezahlt werden.</translation>
    </message>
    <message>
        <source>Your PIN could not be checked: the payment service can&apos;t be reached. Only Lock works until it is back.</source>
        <translation>Ihre PIN konnte nicht geprüft werden: Der Zahlungsdienst ist nicht erreichbar. Bis er zurück ist, geht nur Sperren.</translation>
    </message>
    <message>
        <source>That is more than this shop&apos;s maximum sale of {limit}. Check the amount and type it again.</source>
        <translation>Das ist mehr als der Höchstbetrag dieses Geschäfts von {limit}. Bitte Betrag prüfen und neu eingeben.</translation>
    </message>
    <message>
        <source>The sale was cancelled at the till.</source>
        <translation>Der Verkauf wurde an der Kasse abgebrochen.</translation>
    </message>
    <message>
        <source>Sale {reference}</source>
        <translation>Verkauf {reference}</translation>
    </message>
    <message>
        <source>Lock terminal</source>
        <translation>Terminal sperren</translation>
    </message>
    <message>
        <source>Enrol shopper</source>
        <translation>Kunden registrieren</translation>
    </message>
    <message>
        <source>Erase shopper</source>
        <translation>Kunden löschen</translation>
    </message>
    <message>
        <source>Open sale: {amount}</source>
        <translation>Offener Verkauf: {amount}</translation>
    </message>
    <message>
        <source>No open sale</source>
        <translation>Kein offener Verkauf</translation>
    </message>
    <message>
        <source>Loading today&apos;s totals…</source>
        <translation>Heutige Summen werden geladen…</translation>
    </message>
    <message>
        <source>Reconciliation: {verdict}</source>
        <translation>Abgleich: {verdict}</translation>
    </message>
    <message>
        <source>Checkout closed</source>
        <translation>Kasse geschlossen</translation>
    </message>
    <message>
        <source>Your consent</source>
        <translation>Ihre Einwilligung</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>Agree</source>
        <translation>Zustimmen</translation>
    </message>
    <message>
        <source>Enrolling customer {customer}. Please read, then choose.</source>
        <translation>Registrierung von Kunde {customer}. Bitte lesen, dann wählen.</translation>
    </message>
    <message>
        <source>Consent text version {version}</source>
        <translation>Einwilligungstext, Version {version}</translation>
    </message>
    <message>
        <source>Enrolment</source>
        <translation>Registrierung</translation>
    </message>
    <message>
        <source>Look at the camera and hold still</source>
        <translation>In die Kamera schauen und stillhalten</translation>
    </message>
    <message>
        <source>Pictures kept: {accepted} of {needed}</source>
        <translation>Gespeicherte Bilder: {accepted} von {needed}</translation>
    </message>
    <message>
        <source>Starting the camera…</source>
        <translation>Kamera wird gestartet…</translation>
    </message>
    <message>
        <source>Erase shopper?</source>
        <translation>Kunden löschen?</translation>
    </message>
    <message>
        <source>Shopper&apos;s PIN</source>
        <translation>PIN des Kunden</translation>
    </message>
    <message>
        <source> ({name})</source>
        <translation> ({name})</translation>
    </message>
    <message>
        <source> (not enrolled at this terminal)</source>
        <translation> (nicht an diesem Terminal registriert)</translation>
    </message>
    <message>
        <source>This removes the shopper&apos;s face templates, their consent record and the link between their face and their account, here and at the payment service. The account, its money and its PIN stay. It cannot be undone.</source>
        <translation>Dies entfernt die Gesichtsvorlagen des Kunden, seine Einwilligung und die Verknüpfung zwischen Gesicht und Konto, hier und beim Zahlungsdienst. Das Konto, sein Guthaben und seine PIN bleiben. Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>Erase on your authority as the signed-in cashier of this shop, or let the shopper type their own PIN.</source>
        <translation>Löschen Sie als angemeldeter Kassierer dieses Geschäfts, oder lassen Sie den Kunden seine eigene PIN eingeben.</translation>
    </message>
    <message>
        <source>Shopper erased</source>
        <translation>Kunde gelöscht</translation>
    </message>
</context>
</TS>
