"""The customer screen's strings, by key: ``key -> (es-MX, English)``."""

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
    # labels for assistive technology and small words (issue 12: every string translated)
    "eyes_label": ("Ojos animados de la pantalla de espera", "Animated eyes of the idle screen"),
    "clear_amount": ("Borrar", "Clear"),
    # payment outcomes as staff read them (the journal stores the English word)
    "outcome_open": ("abierto", "open"),
    "outcome_completed": ("completado", "completed"),
    "outcome_cancelled": ("cancelado", "cancelled"),
    "outcome_declined": ("declinado", "declined"),
    "outcome_failed": ("fallido", "failed"),
    "outcome_unknown": ("desconocido", "unknown"),
}
