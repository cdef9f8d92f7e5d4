"""User-visible text, es-MX first and English second, and es-MX money formatting."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

LANGUAGES = ("es", "en")

STRINGS: dict[str, tuple[str, str]] = {
    # frame
    "demo_mark": ("DEMO", "DEMO"),
    "engine_offline": ("Sin conexión con el equipo. Reintentando…", "No connection to the machine. Retrying…"),
    "switch_language": ("English", "Español"),
    # idle
    "touch_to_start": ("Toque la pantalla para comenzar", "Touch the screen to start"),
    "default_cta": ("¡Paga aquí de forma rápida y segura!", "Pay here, fast and safe!"),
    # sale
    "sale_title": ("Ingrese el monto a pagar", "Enter the amount to pay"),
    "sale_title_cart": ("Escanee sus productos o ingrese un monto", "Scan your items or enter an amount"),
    "amount": ("Monto", "Amount"),
    "cart": ("Productos", "Items"),
    "cart_empty": ("Escanee un producto con el lector", "Scan an item with the reader"),
    "cart_total": ("Total productos", "Items total"),
    "total_to_pay": ("Total a pagar", "Total to pay"),
    "pay_cash": ("Pagar en efectivo", "Pay with cash"),
    "pay_card": ("Pagar con tarjeta", "Pay by card"),
    "card_unavailable": ("Tarjeta no disponible", "Card not available"),
    "back": ("Regresar", "Back"),
    "remove": ("Quitar", "Remove"),
    "hint_max_decimals": ("Solo se permiten dos decimales", "Only two decimals are allowed"),
    "hint_second_dot": ("El monto ya tiene punto decimal", "The amount already has a decimal point"),
    "hint_leading_zero": ("El monto no puede empezar con ceros", "The amount cannot start with zeros"),
    "hint_max_amount": ("El monto máximo es {max}", "The maximum amount is {max}"),
    "hint_enter_amount": ("Ingrese un monto o escanee un producto", "Enter an amount or scan an item"),
    "product_not_found": ("Producto no encontrado: {code}", "Item not found: {code}"),
    "product_added": ("Agregado: {name}", "Added: {name}"),
    "low_change": (
        "Hay poco cambio disponible. Si puede, pague con el importe exacto.",
        "Little change is available. Please pay the exact amount if you can.",
    ),
    # payment
    "pay_title_cash": ("Inserte sus billetes o monedas", "Insert your bills or coins"),
    "pay_title_card": ("Siga las instrucciones de la terminal", "Follow the instructions on the card terminal"),
    "starting_payment": ("Preparando el cobro…", "Getting ready…"),
    "ending_payment": ("Procesando…", "Processing…"),
    "no_ack_cancelling": (
        "El equipo no respondió. Estamos cancelando el cobro; no inserte dinero.",
        "The machine did not respond. We are cancelling the payment; do not insert money.",
    ),
    "due": ("Total", "Total"),
    "inserted": ("Ingresado", "Inserted"),
    "remaining": ("Falta", "Remaining"),
    "accepted": (
        "Se aceptan billetes de $20 a $1,000 y monedas de $0.50 a $20",
        "Bills from $20 to $1,000 and coins from $0.50 to $20 are accepted",
    ),
    "cancel": ("Cancelar", "Cancel"),
    # pictograms (alt text of assets/img/*.svg, see components/pictogram.py)
    "pictogram_bill-slot": ("Ranura de billetes: introduzca aquí sus billetes", "Bill slot: insert your bills here"),
    "pictogram_coin-slot": ("Ranura de monedas: introduzca aquí sus monedas", "Coin slot: insert your coins here"),
    "pictogram_card-insert": (
        "Terminal de tarjetas: inserte su tarjeta con el chip hacia arriba",
        "Card terminal: insert your card, chip facing up",
    ),
    "pictogram_card-tap": (
        "Pago sin contacto: acerque su tarjeta o teléfono a la terminal",
        "Contactless: hold your card or phone near the terminal",
    ),
    "pictogram_change-tray": ("Bandeja de cambio: tome aquí su cambio", "Change tray: take your change here"),
    "pictogram_receipt-qr": (
        "Comprobante: escanee el código QR con su teléfono",
        "Receipt: scan the QR code with your phone",
    ),
    "pictogram_logo-default": ("Logotipo del comercio", "Shop logo"),
    "cancel_confirm_title": ("¿Cancelar el pago?", "Cancel the payment?"),
    "cancel_confirm_text": (
        "Se le devolverá el dinero ingresado: {amount}",
        "The money you inserted will be returned: {amount}",
    ),
    "cancel_yes": ("Sí, cancelar", "Yes, cancel"),
    "cancel_no": ("No, continuar pagando", "No, keep paying"),
    "bv_error": (
        "El lector de billetes tiene un problema: use monedas o llame al encargado.",
        "The bill reader has a problem: use coins or call staff.",
    ),
    "ca_error": (
        "El monedero tiene un problema: use billetes o llame al encargado.",
        "The coin acceptor has a problem: use bills or call staff.",
    ),
    # result
    "result_success": ("¡Pago completado!", "Payment complete!"),
    "result_cancelled": ("Pago cancelado", "Payment cancelled"),
    "result_declined": ("Tarjeta declinada", "Card declined"),
    "result_error": ("No se pudo realizar el pago", "The payment could not be made"),
    "result_unknown": (
        "No pudimos confirmar el resultado. Llame al encargado.",
        "We could not confirm the outcome. Please call staff.",
    ),
    "change_paid": ("Su cambio: {amount}", "Your change: {amount}"),
    "returned": ("Dinero devuelto: {amount}", "Money returned: {amount}"),
    "shortfall": ("Cambio pendiente: {amount}", "Change owed: {amount}"),
    "shortfall_help": (
        "El equipo no tuvo cambio suficiente. Muestre esta pantalla al encargado para recibir "
        "el resto; el código QR tiene los datos de su reclamo.",
        "The machine ran short of change. Show this screen to staff to receive the rest; the QR code holds your claim.",
    ),
    "card_reference": ("Referencia: {ref}", "Reference: {ref}"),
    "receipt_hint": ("Escanee el código para guardar su comprobante", "Scan the code to keep your receipt"),
    "done": ("Terminar", "Done"),
    "err_offline": (
        "El equipo no está conectado. Intente en un momento.",
        "The machine is not connected. Please try again shortly.",
    ),
    "err_busy": ("Hay un cobro en curso. Espere a que termine.", "A payment is in progress. Please wait."),
    "err_journal": (
        "El equipo no puede registrar pagos ahora. Llame al encargado.",
        "The machine cannot record payments now. Please call staff.",
    ),
    "err_amount": ("El monto no es válido", "The amount is not valid"),
    "err_card_unavailable": ("El pago con tarjeta no está disponible", "Card payment is not available"),
    "err_cash_unavailable": (
        "El pago en efectivo no está disponible: el lector de billetes y el monedero tienen un problema. "
        "Llame al encargado.",
        "Cash payment is not available: the bill reader and the coin acceptor have a problem. Please call staff.",
    ),
    "err_no_ack": ("El equipo no respondió. No se cobró nada.", "The machine did not respond. Nothing was charged."),
    "err_failed": (
        "No se pudo iniciar el pago. No se cobró nada.",
        "The payment could not start. Nothing was charged.",
    ),
    # timeout
    "timeout_title": ("¿Sigue ahí?", "Are you still there?"),
    "timeout_text": (
        "La venta se cancelará en {seconds} segundos.",
        "The sale will be cancelled in {seconds} seconds.",
    ),
    "timeout_continue": ("Sí, continuar", "Yes, continue"),
    # voice / sound
    "voice_on": ("Voz activada", "Voice on"),
    "voice_off": ("Voz desactivada", "Voice off"),
    "say_insert": ("Inserte sus billetes o monedas", "Please insert your bills or coins"),
    "say_card": ("Siga las instrucciones de la terminal", "Please follow the instructions on the card terminal"),
    "say_change": ("Su cambio es de {amount}", "Your change is {amount}"),
    "say_thanks": ("Gracias por su pago", "Thank you for your payment"),
    "say_cancelled": ("Pago cancelado. Tome su dinero.", "Payment cancelled. Please take your money."),
    "say_declined": ("Tarjeta declinada", "Card declined"),
    # receipt
    "method_cash": ("Efectivo", "Cash"),
    "method_card": ("Tarjeta", "Card"),
    # customer experience (issue 13): progress, branding, attract loop, quick picks, accessibility
    "progress": ("Pasos de su pago", "Steps of your payment"),
    "step_amount": ("Monto", "Amount"),
    "step_products": ("Productos", "Items"),
    "step_pay": ("Pago", "Payment"),
    "step_done": ("Listo", "Done"),
    "step_of": ("Paso {n} de 3", "Step {n} of 3"),
    "how_title": ("Así de fácil", "It's this easy"),
    "how_1": ("Ingrese el monto", "Enter the amount"),
    "how_1_cart": ("Elija sus productos", "Choose your items"),
    "how_2": ("Pague en efectivo o con tarjeta", "Pay with cash or card"),
    "how_3": ("Tome su cambio y su comprobante", "Take your change and receipt"),
    "welcome": ("Bienvenido", "Welcome"),
    "quick_picks": ("Toque un producto para agregarlo", "Tap an item to add it"),
    "quick_pick_label": ("Agregar {name}, {price}", "Add {name}, {price}"),
    "key_delete": ("Borrar", "Delete"),
    "eyes_label": ("Ojos animados que saludan", "Friendly animated eyes"),
    "a11y_on": ("Alto contraste y letra grande: activado", "High contrast and large text: on"),
    "a11y_off": ("Alto contraste y letra grande: desactivado", "High contrast and large text: off"),
    "take_change": ("Tome su cambio en la bandeja de abajo", "Take your change from the tray below"),
    "take_money": ("Tome su dinero en la bandeja de abajo", "Take your money from the tray below"),
    "card_steps": ("Inserte o acerque su tarjeta a la terminal", "Insert or tap your card on the terminal"),
    "cash_steps": ("Billetes arriba, monedas abajo", "Bills above, coins below"),
    "receipt_title": ("Su comprobante", "Your receipt"),
    "say_sale": ("Ingrese el monto o elija sus productos", "Enter the amount or choose your items"),
    "say_sale_amount": ("Ingrese el monto a pagar", "Enter the amount to pay"),
    "say_timeout": ("¿Sigue ahí? Toque continuar", "Are you still there? Touch continue"),
    "say_cancel_question": ("¿Desea cancelar el pago?", "Do you want to cancel the payment?"),
}


def t(key: str, lang: str = "es", **values: object) -> str:
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text


def money(amount: Decimal | None) -> str:
    """es-MX money text: ``$1,234.50``."""
    if amount is None:
        return "—"
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def spoken_money(amount: Decimal, lang: str = "es") -> str:
    """An amount as speech synthesis reads it best: "14 pesos con 50 centavos"."""
    value = Decimal(amount).quantize(Decimal("0.01"))
    pesos, cents = int(value), int((value - int(value)) * 100)
    if lang == "en":
        return f"{pesos} pesos" + (f" and {cents} cents" if cents else "")
    return f"{pesos} pesos" + (f" con {cents} centavos" if cents else "")


#: The staff area's English, keyed by its es-MX text (templates with ``{names}``). The es-MX text
#: stays in the code where it is used, so the page reads naturally; ``tr`` looks the twin up.
STAFF_EN: dict[str, str] = {
    # gate
    "Acceso de personal": "Staff access",
    "Ingrese su NIP": "Enter your PIN",
    "Entrar": "Sign in",
    "← Pantalla del cliente": "← Customer screen",
    "Pantalla del cliente": "Customer screen",
    "Demasiados intentos. Intente de nuevo en {minutes} min {seconds} s.": "Too many attempts. Try again in {minutes} min {seconds} s.",
    "El NIP son de 4 a 12 dígitos.": "The PIN is 4 to 12 digits.",
    "No hay respuesta del equipo; no se pudo validar el NIP. Intente de nuevo.": "No answer from the machine; the PIN could not be checked. Please try again.",
    "NIP incorrecto. Intentos restantes: {attempts}.": "Wrong PIN. Attempts left: {attempts}.",
    # home and status
    "Administración del cajero": "Kiosk administration",
    "Salir": "Sign out",
    "Estado del equipo": "Machine status",
    "Conexión con el motor": "Engine connection",
    "Conexiones al motor": "Engine connections",
    "Cobrando": "Charging",
    "Terminal de tarjeta": "Card terminal",
    "Total del cobro": "Payment total",
    "Ingresado": "Inserted",
    "Nivel de cambio": "Change level",
    "Estado del motor": "Engine state",
    "Caja de monedas": "Coin cashbox",
    "Monedas en caja": "Coins in cashbox",
    "Caja de billetes": "Bill cashbox",
    "Billetes en caja": "Bills in cashbox",
    "Lector de billetes": "Bill validator",
    "Monedero": "Coin acceptor",
    "Bitácora": "Journal",
    "Tubos de monedas": "Coin tubes",
    "Reciclador / arqueo": "Recycler / cash count",
    "Sin datos": "No data",
    "Conectado": "Connected",
    "Conectando…": "Connecting…",
    "Desconectado": "Disconnected",
    "Sí, cobro en curso": "Yes, payment in progress",
    "No": "No",
    "Disponible": "Available",
    "No disponible": "Not available",
    "Sin error": "No error",
    "Error: {error}": "Error: {error}",
    "Correcta": "OK",
    # actions
    "Acciones": "Actions",
    "Abrir puerta": "Open door",
    "Se abrirá la puerta del gabinete.": "The cabinet door will open.",
    "Iniciar dotación": "Start refill",
    "El equipo aceptará dinero para cambio hasta terminar la dotación.": "The machine will take money for change until the refill ends.",
    "Terminar dotación": "End refill",
    "Se terminará la dotación de efectivo.": "The cash refill will end.",
    "Recolectar monedas": "Collect coins",
    "Se vaciará la caja de monedas.": "The coin cashbox will be emptied.",
    "Recolectar billetes": "Collect bills",
    "Se vaciará la caja de billetes.": "The bill cashbox will be emptied.",
    "Corte de caja": "End-of-day close",
    "Los contadores de efectivo volverán a cero (corte del día).": "The cash counters go back to zero (day close).",
    "Reiniciar equipo": "Restart machine",
    "El equipo se reiniciará; la pantalla volverá sola.": "The machine will restart; the screen comes back by itself.",
    "Apagar equipo": "Power off machine",
    "El equipo se apagará; habrá que encenderlo a mano.": "The machine will power off; it must be switched on by hand.",
    "Reiniciar lector de billetes": "Reset bill validator",
    "Se reiniciará el validador de billetes.": "The bill validator will be reset.",
    "Revisar reciclador": "Check recycler",
    "Se consultarán los niveles del reciclador de billetes.": "The bill recycler levels will be read.",
    "Reporte del equipo": "Machine report",
    "El equipo generará su reporte.": "The machine will produce its report.",
    "Arqueo": "Cash count",
    "Se contará el efectivo de cada denominación.": "The cash of each denomination will be counted.",
    "¿{title}?": "{title}?",
    "Cancelar": "Cancel",
    "Confirmar": "Confirm",
    "Hay un cobro en curso: esta acción mueve efectivo y podría afectar al cliente.": "A payment is in progress: this action moves cash and could affect the customer.",
    "Hay un cobro en curso: «Terminar dotación» (cancelar sin devolver) nunca se envía durante un cobro.": "A payment is in progress: “End refill” (cancel without returning the money) is never sent during a payment.",
    "No hacer nada": "Do nothing",
    "Hacerlo de todos modos": "Do it anyway",
    "{title}: esperando respuesta del equipo…": "{title}: waiting for the machine…",
    "El equipo no está conectado; no se envió nada.": "The machine is not connected; nothing was sent.",
    "El equipo no respondió en {seconds} s.": "The machine did not answer within {seconds} s.",
    "{title}: {answer}": "{title}: {answer}",
    "enviado; el equipo no envió confirmación": "sent; the machine sent no confirmation",
    "{title}: enviado, sin confirmación del equipo.": "{title}: sent, not confirmed by the machine.",
    "La red Wi-Fi del cajero usa la contraseña de fábrica: cualquiera puede unirse. Cámbiela en el equipo y en [wifi] password.": "The kiosk's Wi-Fi uses the factory password: anyone can join. Change it on the machine and in [wifi] password.",
    "Hay otra verificación de NIP o un cobro en curso. Intente en un momento.": "Another PIN check or a payment is under way. Please try again in a moment.",
    "El equipo no está conectado; no se envió el NIP.": "The machine is not connected; the PIN was not sent.",
    "el equipo se está reiniciando/apagando; esta pantalla se reconectará sola.": "the machine is restarting/powering off; this screen will reconnect by itself.",
    "reciclador vacío": "recycler empty",
    "reciclador con billetes": "recycler holds bills",
    "arqueo": "cash count",
    "listo": "done",
    "estado recibido": "status received",
    "recolectado {amount} ({pieces} piezas)": "collected {amount} ({pieces} pieces)",
    # owed and review
    "Cambio pendiente a clientes": "Change owed to customers",
    "Pagos por revisar (resultado desconocido)": "Payments to review (unknown outcome)",
    "Nada pendiente": "Nothing owed",
    "Nada por revisar": "Nothing to review",
    "No se pudo leer la bitácora: {error}": "The journal could not be read: {error}",
    "folio": "receipt",
    "Tarjeta": "Card",
    "Efectivo": "Cash",
    "Revisado": "Reviewed",
    "Marcar pagado": "Mark paid",
    # screen settings
    "Pantalla de espera": "Idle screen",
    "Mostrar mensaje": "Show message",
    "Mostrar ojos": "Show eyes",
    "Mostrar reloj": "Show clock",
    "Mensaje": "Message",
    "Máximo {limit} caracteres": "At most {limit} characters",
    "Guardar": "Save",
    "Vista previa": "Preview",
    "El mensaje debe tener como máximo {limit} caracteres, sin saltos de línea.": "The message must have at most {limit} characters, with no line breaks.",
    "No se guardó: sin conexión": "Not saved: no connection",
    "No se guardó: sin respuesta": "Not saved: no answer",
    "Pantalla guardada": "Screen saved",
    # products
    "Catálogo de productos": "Product catalog",
    "Buscar por código o descripción": "Search by code or description",
    "Buscar": "Search",
    "Nuevo producto": "New product",
    "Código": "Code",
    "Descripción": "Description",
    "Unidad de medida": "Unit of measure",
    "Precio": "Price",
    "Imagen (PNG, JPG o WebP, máx. 1 MB)": "Image (PNG, JPG or WebP, max. 1 MB)",
    "Eliminar": "Delete",
    "Cerrar": "Close",
    "Editar": "Edit",
    "Sin resultados": "No results",
    "No se pudo buscar: el equipo no responde": "Search failed: the machine does not answer",
    "El equipo no dio un código nuevo": "The machine gave no new code",
    "La imagen debe ser PNG, JPG o WebP.": "The image must be PNG, JPG or WebP.",
    "La imagen pesa más de 1 MB.": "The image is larger than 1 MB.",
    "La descripción es obligatoria.": "The description is required.",
    "La descripción es demasiado larga (máximo 120).": "The description is too long (at most 120).",
    "Precio no válido: use un monto como 18.50.": "Invalid price: use an amount like 18.50.",
    "El equipo no confirmó el guardado. Intente de nuevo.": "The machine did not confirm the save. Please try again.",
    "Producto guardado": "Product saved",
    "¿Eliminar «{name}» ({code})?": "Delete “{name}” ({code})?",
    "El equipo no confirmó la eliminación.": "The machine did not confirm the deletion.",
    "Producto eliminado": "Product deleted",
    # reports, journal, tablet
    "Ventas y bitácora": "Sales and journal",
    "Actualizar": "Refresh",
    "Exportar CSV": "Export CSV",
    "Sin ventas registradas": "No sales recorded",
    "{count} ventas": "{count} sales",
    "Personal": "Staff",
    "Desde": "From",
    "Hasta": "To",
    "Ver reporte": "Show report",
    "Todo": "All",
    "Todos": "All",
    "Pagos": "Payments",
    "Tipo": "Kind",
    "Resultado": "Outcome",
    "Forma de pago": "Payment method",
    "Monto mínimo": "Minimum amount",
    "Monto máximo": "Maximum amount",
    "Folio o referencia": "Payment id or reference",
    "Más recientes": "Newer",
    "Más antiguos": "Older",
    "Página {page}": "Page {page}",
    "Nada en la bitácora con estos filtros": "Nothing in the journal matches these filters",
    "Fecha no válida: use AAAA-MM-DD.": "Invalid date: use YYYY-MM-DD.",
    "Monto no válido: use un monto como 18.50.": "Invalid amount: use an amount like 18.50.",
    "Rango no válido: el inicio va antes del fin.": "Invalid range: the start comes before the end.",
    "Rango no válido: hasta un año, el inicio antes del fin.": "Invalid range: at most a year, the start before the end.",
    "Ventas": "Sales",
    "Cambio adeudado": "Change owed",
    "Cambio entregado después": "Change settled later",
    "Pagos por resultado": "Payments by outcome",
    "Conectar una tableta": "Pair a tablet",
    "1. Unirse a la red «{ssid}»": "1. Join the “{ssid}” network",
    "{step}. Abrir {url}": "{step}. Open {url}",
    "English": "Español",
    "Capacidad del reciclador (máximo de billetes por posición)": "Recycler capacity (most bills per position)",
    "Posición {n}": "Position {n}",
    "Total": "Total",
    "Sin datos: use «Revisar reciclador»": "No data: use “Check recycler”",
    "Reciclador vacío": "Recycler empty",
    "Reciclador con billetes": "Recycler holds bills",
    "capacidad: {count} billetes": "capacity: {count} bills",
    "Aviso de seguridad: la red Wi-Fi del equipo usa la contraseña de fábrica «abcdefgh». Cualquiera cerca puede entrar a la red y enviar instrucciones al motor (puerto 8080). Cámbiela en el router y en la configuración ([wifi] password).": "Security warning: the kiosk's Wi-Fi uses the factory password “abcdefgh”. Anyone nearby can join the network and send instructions to the engine (port 8080). Change it on the router and in the configuration ([wifi] password).",
    # the demo's simulator page (/sim)
    "Simulador del motor Quickpaymini": "Quickpaymini engine simulator",
    "Monedas": "Coins",
    "Billetes": "Bills",
    "Aprobar": "Approve",
    "Declinar": "Decline",
    "Modo": "Mode",
    "Decidir aquí": "Decide here",
    "Aprobar solo": "Approve by itself",
    "Declinar solo": "Decline by itself",
    "Fallas": "Faults",
    "Atasco de billete (bvError)": "Bill jam (bvError)",
    "Error del monedero (caError)": "Coin acceptor error (caError)",
    "Terminal de tarjeta no disponible": "Card terminal unavailable",
    "Mensajes basura": "Junk frames",
    "Rechazar conexiones": "Refuse connections",
    "Respuestas lentas (s)": "Slow replies (s)",
    "Código de producto (escáner del equipo)": "Product code (the machine's scanner)",
    "Escanear": "Scan",
    "Reiniciar motor": "Restart engine",
    "El equipo no aceptó el dinero (no hay cobro en efectivo o hay una falla)": "The machine did not take the money (no cash payment, or a fault)",
    "APAGADO": "OFF",
    "Cobrando {method}: {due} / ingresado {credit}": "Charging {method}: {due} / inserted {credit}",
    "En espera": "Idle",
    "Clientes: {clients} · {state} · Tubos: {tubes}": "Clients: {clients} · {state} · Tubes: {tubes}",
    # alerts (issue 14)
    "Alertas recientes": "Recent alerts",
    "Enviar alerta de prueba": "Send a test alert",
    "Sin alertas": "No alerts",
    "Activas: {alerts}": "Active: {alerts}",
    "Resuelta": "Resolved",
    "Activa": "Firing",
    "(recordatorio)": "(reminder)",
    "pendiente": "pending",
    "enviada": "sent",
    "reintentando": "retrying",
    "falló": "failed",
    "sin webhook configurado": "no webhook configured",
    "Alerta de prueba enviada": "Test alert sent",
}


def tr(text: str, lang: str = "es", **values: object) -> str:
    """The staff area's text in ``lang``: es-MX as written, or its English twin."""
    template = STAFF_EN.get(text, text) if lang == "en" else text
    return template.format(**values) if values else template


#: The engine's ``Status`` texts (Spanish, for people) that we know, with their English twin.
#: PROTOCOL.md: show them, translate the known ones on the English screen, decide nothing from them.
STATUS_EN: dict[str, str] = {
    "En espera": "Idle",
    "Cobrando en efectivo": "Charging cash",
    "Cobrando con tarjeta": "Charging by card",
    "Siga las instrucciones de la terminal": "Follow the instructions on the card terminal",
    "Operación cancelada": "Operation cancelled",
    "Dotación de efectivo": "Loading change",
    "Dotación terminada": "Change loading finished",
    "Puerta abierta": "Door open",
    "Corte de caja realizado": "End-of-day close done",
    "Pago completado": "Payment complete",
    "Cambio incompleto": "Change not fully paid",
    "Pago con tarjeta aprobado": "Card payment approved",
    "Tarjeta declinada": "Card declined",
    "Fondos insuficientes": "Insufficient funds",
    "Transacción cancelada": "Transaction cancelled",
    "Transacción aprobada": "Transaction approved",
    "Transacción declinada": "Transaction declined",
    "Error de comunicación con la terminal": "Communication error with the card terminal",
    "Tiempo de espera agotado": "Timed out",
}
_STATUS_EN_FOLDED = {key.strip().casefold(): value for key, value in STATUS_EN.items()}


def status_text(text: str, lang: str = "es") -> str:
    """The engine's ``Status`` text for ``lang``: a known text in English, an unknown one as it came."""
    if lang != "en":
        return text
    return _STATUS_EN_FOLDED.get(text.strip().casefold(), text)
